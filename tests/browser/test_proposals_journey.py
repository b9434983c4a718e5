"""Congress proposals on a phone: the delegate 张伟 makes a proposal in the portal, a second delegate co-signs it so
it reaches the proposal committee, the chair 吴主席 accepts it, assigns it to a department and enters the
department's answer in the console on her phone, and 张伟 says he is satisfied. Screenshots of every step."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from gonghui.accounts.models import User
from gonghui.congress import services as congress_services
from gonghui.congress.models import Congress
from gonghui.core.seed.demo import ACCOUNTS
from gonghui.core.seed.demo_proposals import seed_proposals
from gonghui.proposals.models import Proposal

from .helpers import PHONE, login, snap

pytestmark = pytest.mark.browser

MEMBER = next(
    a for a in ACCOUNTS if a.what == "member in district A"
)  # 张伟, a delegate of the demo congress
CHAIR = next(a for a in ACCOUNTS if a.what == "grassroots chair in district A")  # 吴主席
SECOND = "13700001234"  # a delegate with an account, added for the journey


def test_a_delegate_proposes_a_colleague_co_signs_the_chair_answers_and_the_proposer_rates(
    phone: Page, browser: Browser, live_server, demo
) -> None:
    seed_proposals()
    congress = Congress.objects.get(org__code="330106-G01")
    chair = User.objects.get(real_name=CHAIR.name)
    # One co-signer is enough at this congress, and a second delegate signs in with their own account.
    congress_services.congress_set_figures(actor=chair, congress=congress, min_cosigners=1)
    colleague = User.objects.create_user(SECOND, settings.GONGHUI_DEMO_PASSWORD, real_name="林代表")
    congress_services.delegate_add(
        actor=chair,
        congress=congress,
        elected_on=datetime.date.today(),
        category="worker",
        name="林代表",
        sex="female",
        user=colleague,
    )

    page = phone
    login(page, MEMBER.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/proposals/")
    expect(page.get_by_test_id("my-proposals")).to_be_visible()
    snap(page, "proposals-home-phone")
    page.get_by_test_id("proposal-new").click()
    page.locator("#id_title").fill("关于增设职工母婴室的提案")
    page.locator("#id_category").select_option("life")
    page.locator("#id_reasons").fill("公司哺乳期女职工有二十多人，没有专门的母婴室，只能在卫生间或车里吸奶。")
    page.locator("#id_measures").fill(
        "在研发楼二层设一间母婴室，配冰箱、洗手池和沙发，门禁仅对需要的职工开放。"
    )
    snap(page, "proposals-new-filled-phone")
    page.get_by_test_id("proposal-submit").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+/$"))
    proposal = Proposal.objects.get(title="关于增设职工母婴室的提案")
    assert proposal.status == "collecting" and proposal.proposer.user is not None
    snap(page, "proposals-submitted-phone")

    # A second delegate co-signs from their phone; the proposal reaches the committee.
    ctx2 = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    other = ctx2.new_page()
    login(other, SECOND, settings.GONGHUI_DEMO_PASSWORD, next_url="/proposals/")
    expect(other.get_by_test_id("to-cosign")).to_contain_text("关于增设职工母婴室的提案")
    other.goto(f"/proposals/{proposal.pk}/")
    other.get_by_test_id("cosign").click()
    expect(other.get_by_test_id("cosigned")).to_be_visible()
    expect(other.get_by_test_id("status")).to_have_attribute("class", re.compile("badge-submitted"))
    snap(other, "proposals-cosigned-phone")
    ctx2.close()

    # The chair accepts it, assigns it to the logistics department and enters its answer, on her phone.
    ctx3 = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    console = ctx3.new_page()
    login(console, CHAIR.mobile, settings.GONGHUI_DEMO_PASSWORD, next_url="/console/proposals/")
    expect(console.get_by_test_id("proposal-queue")).to_contain_text("关于增设职工母婴室的提案")
    snap(console, "proposals-console-queue-phone")
    console.goto(f"/console/proposals/{proposal.pk}/")
    console.locator("#id_decision").select_option("accept")
    console.locator("#id_note").fill("符合立案条件，交后勤保障部办理。")
    snap(console, "proposals-console-decide-phone")
    console.get_by_test_id("decide-submit").click()
    expect(console.get_by_test_id("proposal-status")).to_have_attribute("class", re.compile("badge-accepted"))
    console.locator("#id_department").select_option(label="后勤保障部")
    console.get_by_test_id("assign-submit").click()
    expect(console.get_by_test_id("proposal-status")).to_have_attribute("class", re.compile("badge-assigned"))
    console.locator("#id_text").fill("研发楼二层母婴室已列入下月改造计划，月底前投入使用。")
    console.get_by_test_id("answer-submit").click()
    expect(console.get_by_test_id("proposal-answer")).to_contain_text("母婴室")
    snap(console, "proposals-console-answered-phone")
    ctx3.close()

    # 张伟 reads the answer and says he is satisfied.
    page.reload()
    expect(page.get_by_test_id("answer")).to_contain_text("月底前投入使用")
    page.locator("input[name='satisfaction'][value='satisfied']").check()
    snap(page, "proposals-rate-phone")
    page.get_by_test_id("rate-submit").click()
    expect(page.get_by_test_id("satisfaction")).to_be_visible()
    snap(page, "proposals-rated-phone")
    proposal.refresh_from_db()
    assert (
        proposal.status == "closed" and proposal.satisfaction == "satisfied" and proposal.cosigner_count == 1
    )
