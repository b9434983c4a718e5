"""The workers' congress in the hall: the chair puts the big screen up, three of the four delegates scan the
check-in code on their phones (three of four is a quorum: 3 * 3 >= 4 * 2), the chair prepares and opens a
vote in the console, each delegate votes on the phone and sees a receipt code, the chair closes the vote and
publishes the result, and the big screen shows it at its next refresh. Screenshots of every step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from gonghui.congress.models import Attendance, Ballot, Participation, Poll
from tests.conftest import PASSWORD
from tests.congress_setup import make_congress

from .helpers import DESKTOP, PHONE, login, snap, zh

pytestmark = pytest.mark.browser


def test_delegates_check_in_and_vote_on_their_phones_and_the_big_screen_shows_the_result(
    transactional_db, browser: Browser, live_server, tree, chair_a
) -> None:
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4, present=0)
    meeting = setup.meeting
    checkin_path = f"/congress/checkin/{meeting.checkin_token}/"

    # The chair opens the big screen for the projector, and the console in another tab.
    hall = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    screen = hall.new_page()
    login(screen, chair_a.mobile, PASSWORD, next_url=f"/console/congress/meetings/{meeting.pk}/screen/")
    expect(screen.get_by_test_id("screen-present")).to_have_text("0")
    snap(screen, "congress-screen-empty-desktop")
    console = hall.new_page()

    # Three delegates scan the code: the phone opens the check-in page, they log in and confirm.
    phones: list[Page] = []
    for user in setup.users[:3]:
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
        page = context.new_page()
        page.goto(checkin_path)
        expect(page).to_have_url(re.compile(r"/login/"))
        login(page, user.mobile, PASSWORD, next_url=checkin_path)
        expect(page.get_by_test_id("checkin-confirm")).to_be_visible()
        if not phones:
            snap(page, "congress-checkin-phone")
        page.get_by_test_id("checkin-confirm").click()
        expect(page).to_have_url(re.compile(rf"/congress/meetings/{meeting.pk}/$"))
        expect(page.get_by_test_id("checkin-state")).to_contain_text(zh("Checked in"))
        phones.append(page)
    snap(phones[0], "congress-meeting-checked-in-phone")
    assert Attendance.objects.filter(meeting=meeting).count() == 3
    expect(screen.get_by_test_id("screen-present")).to_have_text("3")  # the screen refreshes every 3 s

    # The chair prepares a resolution in the console and opens voting.
    console.goto(f"/console/congress/meetings/{meeting.pk}/polls/new/")
    console.locator("input[name='kind'][value='resolution']").check()
    console.locator("#id_title").fill("关于2027年工资集体协商方案的表决")
    console.locator("#id_options").fill("2027年工资集体协商方案\n职工福利费使用方案")
    console.get_by_test_id("poll-form").locator("button[type='submit']").click()
    expect(console).to_have_url(re.compile(r"/console/congress/polls/\d+/$"))
    poll = Poll.objects.get(meeting=meeting, title="关于2027年工资集体协商方案的表决")
    console.get_by_test_id("poll-open").click()
    expect(console.get_by_test_id("poll-status")).to_have_text(zh("Voting"))
    expect(screen.get_by_test_id("screen-poll-status")).to_have_text(zh("Voting"))
    snap(screen, "congress-screen-voting-desktop")

    # Each delegate votes on the phone and sees a receipt code once.
    receipts = []
    for i, page in enumerate(phones):
        page.goto("/congress/")
        page.get_by_test_id(f"open-poll-{poll.pk}").click()
        expect(page.get_by_test_id("ballot")).to_be_visible()
        page.get_by_test_id("mark-1-approve").check()
        page.get_by_test_id("mark-2-oppose" if i == 0 else "mark-2-approve").check()
        if i == 0:
            snap(page, "congress-ballot-phone")
        page.get_by_test_id("vote-submit").click()
        receipt = page.get_by_test_id("receipt").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt)
        receipts.append(receipt)
        if i == 0:
            snap(page, "congress-receipt-phone")
    assert len(set(receipts)) == 3
    assert Ballot.objects.filter(poll=poll).count() == Participation.objects.filter(poll=poll).count() == 3
    phones[0].goto(f"/congress/polls/{poll.pk}/")
    expect(phones[0].get_by_test_id("already-voted")).to_be_visible()
    assert receipts[0] not in phones[0].content()

    # The chair closes voting (the count follows) and publishes; the big screen shows the result.
    console.get_by_test_id("poll-close").click()
    console.get_by_test_id("poll-publish").click()
    expect(console.get_by_test_id("poll-status")).to_have_text(zh("Result published"))
    expect(screen.get_by_test_id("screen-result")).to_be_visible()
    expect(screen.get_by_test_id("screen-result")).to_contain_text("2027年工资集体协商方案")
    snap(screen, "congress-screen-result-desktop")

    # A delegate sees the result on the phone and checks the receipt.
    page = phones[0]
    page.goto(f"/congress/meetings/{meeting.pk}/")
    expect(page.get_by_test_id(f"result-{poll.pk}")).to_be_visible()
    snap(page, "congress-result-phone")
    page.goto("/congress/receipt/")
    page.locator("#receipt-code").fill(receipts[0].lower())
    page.get_by_test_id("receipt-submit").click()
    expect(page.get_by_test_id("receipt-found")).to_contain_text(poll.title)
    snap(page, "congress-receipt-check-phone")
    for p in phones:
        p.context.close()
    hall.close()
