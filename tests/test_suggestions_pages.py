"""The suggestion pages: the member's portal (submit, follow, the adopted list) and the cadre console (queue,
one suggestion and its handling, the annual list and workbook, statistics), with scope on every page."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from gonghui.core.models import AuditRecord
from gonghui.suggestions import services
from gonghui.suggestions.models import Suggestion

from .conftest import make_user
from .suggestion_helpers import make_member
from .test_suggestions import adopted, idea, submitted

NOV = datetime.datetime(2026, 11, 17, 9, 0, tzinfo=datetime.UTC)
FORM = {
    "title": "食堂排队改进",
    "category": "welfare",
    "situation": "午饭高峰期排队要二十分钟，很多人吃不上热饭。",
    "measures": "增开两个窗口，错峰安排各车间就餐时间。",
    "expected_benefit": "",
}


@pytest.fixture
def zhang(tree, chair_a, member_a):
    return make_member(chair_a, tree.grassroots_a, member_a, 1)


@pytest.fixture
def liu(tree, chair_b, member_b):
    return make_member(chair_b, tree.grassroots_b, member_b, 2, region="330108")


@pytest.fixture
def handler_a(tree):
    """A case handler at district A: has the console, but no democratic-management role."""
    return make_user("13800000020", "赵维权", "case_handler", tree.district_a)


# --- portal --------------------------------------------------------------------------------------------------


def test_a_member_submits_a_suggestion_and_follows_it(client, tree, zhang, member_a):
    client.force_login(member_a)
    home = client.get(reverse("portal:suggestions")).content.decode()
    assert 'data-testid="suggestion-new"' in home
    response = client.post(reverse("portal:suggestion_new"), FORM)
    s = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:suggestion", args=[s.pk])
    page = client.get(response["Location"]).content.decode()
    assert "食堂排队改进" in page and tree.grassroots_a.name in page
    assert "食堂排队改进" in client.get(reverse("portal:suggestions")).content.decode()


def test_the_portal_pages_need_a_login(client, tree):
    for name in ("portal:suggestions", "portal:suggestion_new", "portal:suggestions_adopted"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_bad_input_shows_the_error_on_the_form_and_writes_nothing(client, tree, zhang, member_a):
    client.force_login(member_a)
    response = client.post(reverse("portal:suggestion_new"), {**FORM, "situation": "太短"})
    assert response.status_code == 200 and "situation" in response.context["form"].errors
    assert Suggestion.objects.count() == 0


def test_a_non_member_is_told_to_join_and_cannot_submit(client, tree, member_a):
    client.force_login(member_a)
    assert 'data-testid="not-member"' in client.get(reverse("portal:suggestion_new")).content.decode()
    client.post(reverse("portal:suggestion_new"), FORM)
    assert Suggestion.objects.count() == 0


def test_another_members_suggestion_is_not_found(client, tree, zhang, liu, member_a, member_b):
    s = submitted(member_a)
    client.force_login(member_b)
    assert client.get(reverse("portal:suggestion", args=[s.pk])).status_code == 404


def test_the_member_reads_the_reason_but_not_the_evaluators_notes(client, tree, zhang, member_a, chair_a):
    s = submitted(member_a)
    services.suggestion_evaluate(actor=chair_a, suggestion=s)
    services.suggestion_note(actor=chair_a, suggestion=s, text="内部：成本太高不划算")
    services.suggestion_decide(actor=chair_a, suggestion=s, adopt=False, reason="场地不允许增开窗口")
    client.force_login(member_a)
    page = client.get(reverse("portal:suggestion", args=[s.pk])).content.decode()
    assert "场地不允许增开窗口" in page and "成本太高" not in page


def test_the_adopted_list_shows_the_unions_adopted_suggestions_of_the_year(
    client, tree, zhang, liu, member_a, member_b, chair_a, chair_b
):
    with time_machine.travel(NOV, tick=False):
        mine = adopted(member_a, chair_a)
        services.suggestion_submit(user=member_a, data=idea(title="还在评审的建议"))
        theirs = adopted(member_b, chair_b)
        client.force_login(member_a)
        page = client.get(reverse("portal:suggestions_adopted")).content.decode()
    assert mine.title in page and "还在评审的建议" not in page
    assert theirs.org.name not in page  # another union's list is not shown
    page_2025 = client.get(reverse("portal:suggestions_adopted") + "?year=2025").content.decode()
    assert mine.title not in page_2025


# --- console ---------------------------------------------------------------------------------------------------


def test_the_chair_works_a_suggestion_through_the_console(client, tree, zhang, member_a, chair_a):
    s = submitted(member_a)
    client.force_login(chair_a)
    queue = client.get(reverse("console:suggestions")).content.decode()
    assert s.title in queue
    assert (
        'data-testid="suggestion-evaluate"'
        in client.get(reverse("console:suggestion", args=[s.pk])).content.decode()
    )
    client.post(reverse("console:suggestion_evaluate", args=[s.pk]))
    client.post(reverse("console:suggestion_note", args=[s.pk]), {"text": "请财务核算"})
    client.post(reverse("console:suggestion_decide", args=[s.pk]), {"decision": "adopt", "notes": "可行"})
    client.post(
        reverse("console:suggestion_implement", args=[s.pk]),
        {
            "implemented_on": "2026-01-05",
            "note": "已增开窗口",
            "benefit_amount": "",
            "benefit_description": "",
        },
    )
    s.refresh_from_db()
    assert s.status == "adopted"  # the implementation date lies before the adoption: refused with a message
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    client.post(
        reverse("console:suggestion_implement", args=[s.pk]),
        {
            "implemented_on": today,
            "note": "已增开窗口",
            "benefit_amount": "1000",
            "benefit_description": "少排队",
        },
    )
    client.post(reverse("console:suggestion_reward", args=[s.pk]), {"form": "cash", "amount": "200"})
    s.refresh_from_db()
    assert s.status == "rewarded" and str(s.reward_amount) == "200.00"
    page = client.get(reverse("console:suggestion", args=[s.pk])).content.decode()
    assert 'data-testid="suggestion-reward"' in page


def test_a_refused_step_shows_its_message_and_changes_nothing(client, tree, zhang, member_a, chair_a):
    s = submitted(member_a)
    client.force_login(chair_a)
    client.post(reverse("console:suggestion_evaluate", args=[s.pk]))
    response = client.post(
        reverse("console:suggestion_decide", args=[s.pk]), {"decision": "decline", "reason": ""}, follow=True
    )
    html = response.content.decode()
    # The message in Chinese once the catalogue has it, else the English msgid.
    assert response.status_code == 200 and (
        "不采纳的理由" in html or "Give the reason for not adopting it." in html
    )
    s.refresh_from_db()
    assert s.status == "evaluating"


def test_the_queue_costs_the_same_queries_whatever_its_length(
    client, tree, zhang, member_a, chair_a, django_assert_max_num_queries
):
    client.force_login(chair_a)
    submitted(member_a)
    client.get(reverse("console:suggestions"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("console:suggestions"))
    for _i in range(5):
        submitted(member_a)
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("console:suggestions"))
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_annual_list_prints_and_downloads_as_a_workbook_with_an_audit_record(
    client, tree, zhang, member_a, chair_a
):
    with time_machine.travel(NOV, tick=False):
        s = adopted(member_a, chair_a)
        client.force_login(chair_a)
        page = client.get(reverse("console:suggestions_annual") + "?year=2026").content.decode()
        assert s.title in page
        response = client.get(reverse("console:suggestions_annual") + "?year=2026&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[2][0] == s.number and rows[2][5] in ("已采纳", "Adopted")  # Chinese once the catalogue has it
    assert AuditRecord.objects.filter(action="gonghui.suggestion.annual_exported").exists()


def test_the_statistics_page_rolls_counts_up_to_the_unions_below(
    client, tree, zhang, liu, member_a, member_b, chair_a, chair_b, province_cadre
):
    adopted(member_a, chair_a)
    submitted(member_b)
    client.force_login(province_cadre)
    page = client.get(reverse("console:suggestions_stats")).content.decode()
    assert "suggestions-union" in page and tree.city.name in page
    assert "<script>" not in page  # charts come from json_script and charts.js


# --- scope on every console page -------------------------------------------------------------------------------

ACTIONS = [
    "suggestion_evaluate",
    "suggestion_note",
    "suggestion_decide",
    "suggestion_implement",
    "suggestion_reward",
]


def test_every_console_page_of_a_suggestion_is_not_found_for_another_union(
    client, tree, zhang, member_a, chair_b
):
    s = submitted(member_a)
    client.force_login(chair_b)
    assert client.get(reverse("console:suggestion", args=[s.pk])).status_code == 404
    for name in ACTIONS:
        assert (
            client.post(
                reverse(f"console:{name}", args=[s.pk]), {"text": "x", "decision": "adopt"}
            ).status_code
            == 404
        ), name
    # Chair B's lists show only B's union: A's suggestion is not there.
    assert s.title not in client.get(reverse("console:suggestions") + "?status=").content.decode()
    assert s.title not in client.get(reverse("console:suggestions_annual")).content.decode()
    s.refresh_from_db()
    assert s.status == "submitted"


def test_a_role_without_democratic_management_is_refused_on_every_page(
    client, tree, zhang, member_a, handler_a
):
    s = submitted(member_a)
    client.force_login(handler_a)
    for name in ("console:suggestions", "console:suggestions_annual", "console:suggestions_stats"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("console:suggestion", args=[s.pk])).status_code == 403
    for name in ACTIONS:
        assert (
            client.post(
                reverse(f"console:{name}", args=[s.pk]), {"text": "x", "decision": "adopt"}
            ).status_code
            == 403
        ), name


def test_a_viewer_reads_every_page_but_every_step_is_refused(client, tree, zhang, member_a, viewer_a):
    s = submitted(member_a)
    client.force_login(viewer_a)
    for name in ("console:suggestions", "console:suggestions_annual", "console:suggestions_stats"):
        assert client.get(reverse(name)).status_code == 200, name
    page = client.get(reverse("console:suggestion", args=[s.pk])).content.decode()
    assert 'data-testid="suggestion-evaluate"' not in page
    for name in ACTIONS:
        assert (
            client.post(
                reverse(f"console:{name}", args=[s.pk]),
                {"text": "x", "decision": "adopt", "implemented_on": "2026-01-01", "note": "x"},
            ).status_code
            == 403
        ), name
    s.refresh_from_db()
    assert s.status == "submitted"


def test_a_member_without_a_role_has_no_console(client, tree, zhang, member_a):
    client.force_login(member_a)
    assert client.get(reverse("console:suggestions")).status_code == 403
