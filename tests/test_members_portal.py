"""The member-facing portal pages of the membership module: join, progress, the member card and its public
check, the card PDF, transfer, notices. The services have their own tests (test_members.py)."""

from __future__ import annotations

import re
import zlib

import pytest
from django.test import RequestFactory
from django.urls import reverse

from gonghui.accounts.sms import LoggingSender
from gonghui.core.masking import mask_id_number, mask_name
from gonghui.core.models import Notice
from gonghui.members import card
from gonghui.members import services as svc
from gonghui.members.models import Application, Member, Transfer
from gonghui.members.selectors import card_code

from .conftest import fake_id

pytestmark = pytest.mark.django_db

VISITOR = "13700000077"  # a worker with no account yet


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    return LoggingSender.outbox


@pytest.fixture
def send_code(client, sms, django_capture_on_commit_callbacks):
    """Press "send code" for a number and read the code from the phone (the outbox)."""

    def send(mobile: str = VISITOR) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("portal:join_code"), {"mobile": mobile})
        assert response.status_code == 200 and "data-sent" in response.content.decode()
        sent_to, text = sms[-1]
        assert sent_to == mobile
        return re.search(r"\b(\d{6})\b", text).group(1)  # type: ignore[union-attr]

    return send


def form(**values):
    data = {
        "name": "王小明",
        "id_number": fake_id(7),
        "mobile": VISITOR,
        "code": "",
        "employer_name": "",
        "employer_uscc": "",
        "employment_form": "regular",
        "work_division_code": "330106",
        "work_division_other": "",
        "work_place": "文三路 90 号",
        "consent": "on",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def join(user, n=1, **route):
    person = svc.person_clean(
        name="张伟", id_number=fake_id(n), mobile=user.mobile, work_division_code="330106"
    )
    return svc.application_submit(user=user, person=person, consent=True, **route)


@pytest.fixture
def member(tree, member_a, notice, chair_a) -> Member:
    """member_a, approved by chair_a as a member of grassroots union A."""
    return svc.application_approve(actor=chair_a, application=join(member_a, employer_org=tree.grassroots_a))


def errors(response) -> dict:
    return response.context["form"].errors


# --- the join page -----------------------------------------------------------------------------------------


def test_the_join_page_works_logged_out_with_grouped_forms_districts_and_platforms(client, tree, platform_b):
    response = client.get(reverse("portal:join"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{tree.district_a.name} · 330106" in html  # the known districts to pick from
    assert platform_b.name in html
    assert html.count("<optgroup") == 2 and "★" in html  # employees / new forms, the eight groups marked
    assert 'id="send-code"' in html and reverse("portal:privacy") in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_a_visitor_joins_with_an_sms_code_is_signed_in_and_follows_the_progress(
    client, tree, notice, send_code
):
    code = send_code()
    response = client.post(reverse("portal:join"), form(code=code, employer_org=tree.grassroots_a.pk))
    app = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:application", args=[app.pk])
    assert app.applicant.mobile == VISITOR and app.applicant.real_name == "王小明"
    assert int(client.session["_auth_user_id"]) == app.applicant.pk  # signed in to the new account
    assert (app.org, app.route_code) == (tree.grassroots_a, "employer")
    html = client.get(response["Location"]).content.decode()
    assert app.route_note in html and tree.grassroots_a.name in app.route_note  # sent to X because ...
    assert "1990-01-01" in html  # the birth date read from the ID number
    assert mask_id_number(app.id_number) in html and app.id_number not in html
    assert app.due_on.isoformat() in html
    assert 'data-testid="withdraw"' in html


def test_the_send_code_button_reports_a_second_request_within_the_minute(client, db, send_code):
    send_code()
    response = client.post(reverse("portal:join_code"), {"mobile": VISITOR})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="error"' in html and "data-sent" not in html


def test_the_send_code_button_explains_a_bad_number(client, db, sms):
    html = client.post(reverse("portal:join_code"), {"mobile": "12345"}).content.decode()
    assert 'class="error"' in html and not sms


def test_a_wrong_code_is_shown_on_the_code_field_and_nothing_is_stored(client, tree, notice, send_code):
    send_code()
    response = client.post(reverse("portal:join"), form(code="000000", employer_org=tree.grassroots_a.pk))
    assert response.status_code == 200 and "code" in errors(response)
    assert "has-error" in response.content.decode()
    assert not Application.objects.exists() and "_auth_user_id" not in client.session


def test_a_visitor_without_a_code_is_asked_for_it(client, tree, notice):
    response = client.post(reverse("portal:join"), form())
    assert "code" in errors(response) and not Application.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"id_number": "330106199001010010"}, "id_number"),  # wrong check character
        ({"mobile": "1234"}, "mobile"),
        ({"name": "王2明"}, "name"),
        ({"employer_uscc": "91330108MA2H3T4X50"}, "employer_uscc"),
        ({"work_division_other": "12"}, "work_division_other"),
        ({"employment_form": "astronaut"}, "employment_form"),
    ],
)
def test_invalid_input_comes_back_on_its_field(client, tree, notice, values, field):
    response = client.post(reverse("portal:join"), form(**values))
    assert response.status_code == 200 and field in errors(response)
    assert not Application.objects.exists()


def test_consent_is_required(client, tree, member_a, notice):
    client.force_login(member_a)
    response = client.post(reverse("portal:join"), form(mobile=member_a.mobile, consent=None))
    assert "consent" in errors(response) and not Application.objects.exists()


def test_a_logged_in_member_with_their_own_mobile_needs_no_code(client, tree, member_a, notice):
    client.force_login(member_a)
    response = client.post(
        reverse("portal:join"), form(mobile=member_a.mobile, employer_org=tree.grassroots_a.pk)
    )
    assert response.status_code == 302
    assert Application.objects.get().applicant == member_a


def test_a_logged_in_member_may_leave_the_mobile_empty(client, tree, member_a, notice):
    client.force_login(member_a)
    assert "139****0001" in client.get(reverse("portal:join")).content.decode()
    response = client.post(reverse("portal:join"), form(mobile=""))
    assert response.status_code == 302
    app = Application.objects.get()
    assert app.applicant == member_a and app.mobile == member_a.mobile


def test_a_logged_in_person_applying_with_another_number_must_prove_it(
    client, tree, member_a, notice, send_code
):
    client.force_login(member_a)
    response = client.post(reverse("portal:join"), form(mobile=VISITOR))
    assert "code" in errors(response)
    code = send_code(VISITOR)
    response = client.post(reverse("portal:join"), form(mobile=VISITOR, code=code))
    app = Application.objects.get()
    assert response.status_code == 302 and app.applicant == member_a and app.mobile == VISITOR


def test_a_visitor_with_an_existing_account_is_signed_in_to_it(client, tree, member_b, notice, send_code):
    code = send_code(member_b.mobile)
    client.post(reverse("portal:join"), form(mobile=member_b.mobile, code=code))
    assert Application.objects.get().applicant == member_b
    assert int(client.session["_auth_user_id"]) == member_b.pk


def test_a_disabled_account_cannot_be_entered_through_the_join_page(
    client, tree, member_b, notice, send_code
):
    member_b.is_active = False
    member_b.save()
    code = send_code(member_b.mobile)
    response = client.post(reverse("portal:join"), form(mobile=member_b.mobile, code=code))
    assert "mobile" in errors(response)
    assert "_auth_user_id" not in client.session and not Application.objects.exists()


def test_after_the_code_a_failed_submission_is_retried_without_a_new_code(client, tree, notice, send_code):
    code = send_code()
    response = client.post(reverse("portal:join"), form(code=code, work_division_code=""))
    assert "work_division_code" in errors(response)  # no employer and no place of work: no union to send to
    assert "_auth_user_id" in client.session  # the phone is proven
    response = client.post(reverse("portal:join"), form(code=""))
    assert response.status_code == 302 and Application.objects.get().org == tree.district_a


def test_the_employer_is_found_by_search_without_javascript_and_the_form_is_kept(client, tree):
    tree.grassroots_a.employer_name = "西溪科技有限公司"
    tree.grassroots_a.save()
    response = client.post(reverse("portal:join"), form(action="find_employer", employer_q="西溪科技"))
    html = response.content.decode()
    assert f'name="employer_org" value="{tree.grassroots_a.pk}"' in html
    assert 'value="王小明"' in html  # what was typed stays
    assert "has-error" not in html  # a search is not a submission


def test_without_javascript_the_code_is_sent_and_a_union_found_by_the_form_itself(
    client, tree, joint_a, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:join"), form(action="send_code"))
    assert "data-sent" in response.content.decode() and sms[-1][0] == VISITOR
    html = client.post(reverse("portal:join"), form(action="find_union", union_q="联合")).content.decode()
    assert f'name="chosen_org" value="{joint_a.pk}"' in html and not Application.objects.exists()


def test_every_mistake_shows_at_once(client, tree, notice):
    response = client.post(
        reverse("portal:join"), form(name="", id_number="123", mobile="5", consent=None, employer_uscc="x")
    )
    assert set(errors(response)) >= {"name", "id_number", "mobile", "consent", "employer_uscc"}


def test_a_chosen_employer_stays_chosen_when_the_form_comes_back_with_an_error(client, tree, notice):
    html = client.post(
        reverse("portal:join"), form(employer_org=tree.grassroots_a.pk, consent=None)
    ).content.decode()
    assert f'name="employer_org" value="{tree.grassroots_a.pk}" checked' in html


def test_the_search_endpoints_answer_htmx(client, tree, joint_a):
    html = client.get(reverse("portal:join_employers"), {"employer_q": "西溪"}).content.decode()
    assert f'value="{tree.grassroots_a.pk}"' in html and 'name="employer_org"' in html
    html = client.get(
        reverse("portal:union_search"), {"union_q": "联合", "field": "chosen_org"}
    ).content.decode()
    assert f'value="{joint_a.pk}"' in html and 'name="chosen_org"' in html
    html = client.get(reverse("portal:union_search"), {"union_q": "长河", "field": "to_org"}).content.decode()
    assert f'name="to_org" value="{tree.grassroots_b.pk}"' in html
    assert (
        client.get(reverse("portal:union_search"), {"union_q": "x", "field": "password"}).status_code == 404
    )


def test_a_union_that_may_not_be_chosen_is_refused_on_its_field(client, tree, member_a, notice):
    client.force_login(member_a)
    response = client.post(reverse("portal:join"), form(mobile="", chosen_org=tree.district_b.pk))
    assert "chosen_org" in errors(response) and not Application.objects.exists()


def test_a_rider_goes_to_the_platform_chosen_and_a_regular_worker_is_not_asked(
    client, tree, member_a, member_b, notice, platform_b
):
    client.force_login(member_a)
    client.post(
        reverse("portal:join"), form(mobile="", employment_form="delivery_rider", platform_org=platform_b.pk)
    )
    rider = Application.objects.get(applicant=member_a)
    assert (rider.org, rider.route_code) == (platform_b, "platform")
    client.force_login(member_b)
    client.post(reverse("portal:join"), form(mobile="", id_number=fake_id(8), platform_org=platform_b.pk))
    regular = Application.objects.get(applicant=member_b)
    assert regular.platform_org is None and regular.route_code == "local"


def test_a_member_elsewhere_who_applies_is_told_it_becomes_a_transfer(client, tree, member, member_a):
    client.force_login(member_a)
    response = client.post(
        reverse("portal:join"),
        form(mobile="", id_number=member.id_number, employer_org=tree.grassroots_b.pk),
        follow=True,
    )
    app = Application.objects.get(status="transfer")
    assert response.redirect_chain[-1][0] == reverse("portal:application", args=[app.pk])
    assert tree.grassroots_b.name in response.content.decode()


# --- progress ----------------------------------------------------------------------------------------------


def test_another_persons_application_is_not_found(client, tree, member_a, member_b, notice):
    app = join(member_a, employer_org=tree.grassroots_a)
    client.force_login(member_b)
    assert client.get(reverse("portal:application", args=[app.pk])).status_code == 404
    assert client.post(reverse("portal:application_withdraw", args=[app.pk])).status_code == 404
    assert app.pk not in [a.pk for a in client.get(reverse("portal:applications")).context["applications"]]
    app.refresh_from_db()
    assert app.status == "pending"


def test_a_cadre_of_the_handling_union_cannot_use_the_applicants_pages(
    client, tree, member_a, chair_a, notice
):
    app = join(member_a, employer_org=tree.grassroots_a)
    client.force_login(chair_a)  # may review it in the console, but this page is the applicant's own
    assert client.get(reverse("portal:application", args=[app.pk])).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "portal:applications",
        "portal:membership",
        "portal:member_card_pdf",
        "portal:member_transfer",
        "portal:notices",
    ],
)
def test_the_personal_pages_send_visitors_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login"))


def test_the_applicant_withdraws_a_pending_application(client, tree, member_a, notice):
    app = join(member_a, employer_org=tree.grassroots_a)
    client.force_login(member_a)
    response = client.post(reverse("portal:application_withdraw", args=[app.pk]), follow=True)
    app.refresh_from_db()
    assert app.status == "withdrawn"
    html = response.content.decode()
    assert 'data-testid="withdraw"' not in html and "step-withdrawn" in html
    again = client.post(reverse("portal:application_withdraw", args=[app.pk]), follow=True)
    assert again.status_code == 200 and "msg-error" in again.content.decode()  # already closed: a message


def test_a_rejection_shows_its_reason_on_the_timeline(client, tree, member_a, chair_a, notice):
    app = join(member_a, employer_org=tree.grassroots_a)
    svc.application_reject(actor=chair_a, application=app, reason="不在本单位工作")
    client.force_login(member_a)
    html = client.get(reverse("portal:application", args=[app.pk])).content.decode()
    assert html.count("不在本单位工作") == 2  # the decision and the timeline step


def test_a_provisional_deadline_is_marked(client, tree, member_a, notice):
    app = join(member_a, employer_org=tree.grassroots_a)
    Application.objects.filter(pk=app.pk).update(due_provisional=True)
    client.force_login(member_a)
    html = client.get(reverse("portal:application", args=[app.pk])).content.decode()
    assert html.count('class="badge" title=') == 1


def test_the_list_of_applications_costs_the_same_queries_whatever_its_length(
    client, tree, member_a, notice, django_assert_max_num_queries
):
    client.force_login(member_a)
    join(member_a, 1, employer_org=tree.grassroots_a)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("portal:applications"))
    for n in (2, 3, 4):
        join(member_a, n, employer_org=tree.grassroots_b)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("portal:applications"))


# --- the member card ---------------------------------------------------------------------------------------


def test_the_member_card_shows_the_full_name_number_and_a_qr_code_of_the_check_page(client, member, member_a):
    client.force_login(member_a)
    html = client.get(reverse("portal:membership")).content.decode()
    assert member.name in html and member.number in html and member.org.name in html
    request = RequestFactory().get("/")
    assert card.card_qr_svg(member.number, request) in html
    assert card.card_verify_url(member.number, request) == "http://testserver" + reverse(
        "portal:card_verify", args=[card_code(member.number)]
    )
    assert "step-joined" in html and 'data-testid="print-card"' in html


def test_the_card_page_shows_dues_and_a_pending_transfer(client, tree, member, member_a, chair_a):
    import datetime

    svc.dues_wage_set(actor=chair_a, member=member, month=datetime.date(2026, 3, 1), wage_base="6000")
    svc.transfer_start(actor=chair_a, member=member, to_org=tree.grassroots_b, reason="调动")
    client.force_login(member_a)
    html = client.get(reverse("portal:membership")).content.decode()
    assert "2026-03" in html and "30.00" in html
    assert 'data-testid="pending-transfer"' in html and tree.grassroots_b.name in html


def test_a_person_without_membership_is_shown_how_to_join(client, tree, member_b, notice):
    client.force_login(member_b)
    html = client.get(reverse("portal:membership")).content.decode()
    assert reverse("portal:join") in html and 'data-testid="card-qr"' not in html
    assert client.get(reverse("portal:member_card_pdf")).status_code == 404


def test_the_card_pdf_is_a_card_sized_pdf_with_the_cjk_font_embedded(client, member, member_a):
    client.force_login(member_a)
    response = client.get(reverse("portal:member_card_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    # Dictionaries sit in compressed object streams: inflate every stream to read them.
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    text = b"".join(parts)
    assert re.search(rb"/FontFile\d?", text), "the font is embedded"
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK", text), "the Noto Sans CJK subset is used"
    assert b"/MediaBox [0 0 242" in text or b"/MediaBox [ 0 0 242" in text  # 85.6 mm = 242.6 pt wide


def test_the_public_check_shows_only_the_masked_name_union_and_validity(client, member):
    response = client.get(reverse("portal:card_verify", args=[card_code(member.number)]))
    html = response.content.decode()
    assert response.status_code == 200 and "verdict-ok" in html
    assert mask_name(member.name) in html and member.org.name in html
    assert member.name not in html and member.number not in html.replace(card_code(member.number), "")
    assert member.id_number not in html and member.mobile not in html


def test_the_public_check_says_when_a_membership_ended(client, member, chair_a):
    svc.member_status_change(actor=chair_a, member=member, status="withdrawn", reason="本人书面申请退会")
    response = client.get(reverse("portal:card_verify", args=[card_code(member.number)]))
    assert response.status_code == 200 and "verdict-bad" in response.content.decode()


@pytest.mark.parametrize("forge", ["swap_mac", "other_number", "junk"])
def test_a_forged_card_code_is_rejected(client, member, forge):
    code = card_code(member.number)
    forged = {
        "swap_mac": code[:-1] + ("0" if code[-1] != "0" else "1"),
        "other_number": "000000000027-" + code.split("-")[1],
        "junk": "hello",
    }[forge]
    response = client.get(reverse("portal:card_verify", args=[forged]))
    html = response.content.decode()
    assert response.status_code == 404 and "verdict-bad" in html and mask_name(member.name) not in html


# --- transfer ----------------------------------------------------------------------------------------------


def test_the_member_starts_a_transfer_and_cancels_it(client, tree, member, member_a):
    client.force_login(member_a)
    assert client.get(reverse("portal:member_transfer")).status_code == 200
    response = client.post(
        reverse("portal:member_transfer"),
        {"to_org": tree.grassroots_b.pk, "new_employer_name": "长河半导体有限公司", "reason": "换工作"},
    )
    assert response["Location"] == reverse("portal:membership")
    t = Transfer.objects.get()
    assert (t.to_org, t.started_by, t.status) == (tree.grassroots_b, "member", "pending")
    html = client.get(reverse("portal:member_transfer")).content.decode()
    assert 'data-testid="cancel-transfer"' in html and 'data-testid="transfer-submit"' not in html
    client.post(reverse("portal:member_transfer_cancel"))
    t.refresh_from_db()
    member.refresh_from_db()
    assert t.status == "cancelled" and member.status == "active" and member.org == tree.grassroots_a


def test_a_transfer_needs_a_union_that_holds_members(client, tree, member, member_a):
    client.force_login(member_a)
    assert "to_org" in errors(client.post(reverse("portal:member_transfer"), {"new_employer_name": "某公司"}))
    assert "to_org" in errors(client.post(reverse("portal:member_transfer"), {"to_org": tree.district_b.pk}))
    assert "to_org" in errors(
        client.post(reverse("portal:member_transfer"), {"to_org": tree.grassroots_a.pk})
    )
    assert "new_employer_uscc" in errors(
        client.post(
            reverse("portal:member_transfer"), {"to_org": tree.grassroots_b.pk, "new_employer_uscc": "bad"}
        )
    )
    assert not Transfer.objects.exists()


def test_the_new_union_is_found_without_javascript(client, tree, member, member_a):
    client.force_login(member_a)
    html = client.post(
        reverse("portal:member_transfer"), {"action": "find_union", "union_q": "长河"}
    ).content.decode()
    assert f'name="to_org" value="{tree.grassroots_b.pk}"' in html and not Transfer.objects.exists()


def test_only_a_member_may_transfer_and_only_their_own_transfer_is_cancelled(
    client, tree, member, member_a, member_b, chair_a
):
    svc.transfer_start(actor=chair_a, member=member, to_org=tree.grassroots_b)
    client.force_login(member_b)  # no membership of her own
    assert client.get(reverse("portal:member_transfer"))["Location"] == reverse("portal:membership")
    assert client.post(reverse("portal:member_transfer_cancel")).status_code == 404
    assert Transfer.objects.get().status == "pending"


# --- notices and home --------------------------------------------------------------------------------------


def test_notices_are_the_persons_own_and_are_marked_read(client, tree, member_a, member_b, notice):
    app = join(member_a, employer_org=tree.grassroots_a)
    Notice.objects.create(user=member_b, text="给刘芳的通知")
    client.force_login(member_a)
    html = client.get(reverse("portal:notices")).content.decode()
    assert reverse("portal:application", args=[app.pk]) in html and "给刘芳的通知" not in html
    assert 'data-testid="mark-read"' in html
    client.post(reverse("portal:notices_read"))
    assert not Notice.objects.filter(user=member_a, read_at__isnull=True).exists()
    assert Notice.objects.filter(user=member_b, read_at__isnull=True).count() == 1


def test_the_home_page_offers_joining_to_everyone_and_the_card_to_people_logged_in(client, member_a):
    html = client.get("/").content.decode()
    assert 'data-tile="join"' in html and 'data-tile="card"' not in html
    client.force_login(member_a)
    html = client.get("/").content.decode()
    for tile in ("join", "card", "applications", "notices"):
        assert f'data-tile="{tile}"' in html
