"""The workers' congress in the console: every page renders for the chair, another union gets 404, a viewer
reads but every write is 403; the term is set up, a meeting held and a vote counted and published through the
pages; the quorum refusal, the tellers' double entry and the big screen's published-only result."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.congress import services
from gonghui.congress.models import (
    Attendance,
    Congress,
    Delegate,
    DelegateStatus,
    Meeting,
    MeetingStatus,
    Poll,
    PollStatus,
)
from gonghui.orgs.models import Role, RoleAssignment
from tests.conftest import CastClient, make_user
from tests.congress_setup import TERM_START, make_congress

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def logged_in(user) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def setup(tree, chair_a):
    """Union A's congress: 30 delegates with accounts, a meeting in session, everyone checked in."""
    return make_congress(org=tree.grassroots_a, chair=chair_a)


@pytest.fixture
def world(setup, chair_a):
    """The congress with a document, an ended delegate and a draft resolution."""
    s = setup
    pdf = SimpleUploadedFile("议程.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    doc = services.meeting_document_add(actor=chair_a, meeting=s.meeting, title="大会议程", file=pdf)
    ended = services.delegate_end(
        actor=chair_a,
        delegate=s.delegates[-1],
        status="resigned",
        on=datetime.date(2026, 3, 1),
        reason="调岗",
    )
    poll = services.poll_create(
        actor=chair_a,
        meeting=s.meeting,
        kind="resolution",
        title="工资集体协商方案",
        options=["工资集体协商方案"],
    )
    return {"s": s, "doc": doc, "ended": ended, "poll": poll}


def pages(w) -> list[str]:
    s = w["s"]
    m, p, d = s.meeting.pk, w["poll"].pk, s.delegates[0].pk
    return [
        reverse("console:congress_detail", args=[s.congress.pk]),
        reverse("console:congress_figures", args=[s.congress.pk]),
        reverse("console:delegate_add", args=[s.congress.pk]),
        reverse("console:delegate_detail", args=[d]),
        reverse("console:delegate_replace", args=[w["ended"].pk]),
        reverse("console:meeting_new", args=[s.congress.pk]),
        reverse("console:meeting_detail", args=[m]),
        reverse("console:meeting_document", args=[m, w["doc"].pk]),
        reverse("console:attendance_record", args=[m]),
        reverse("console:poll_new", args=[m]),
        reverse("console:poll_detail", args=[p]),
        reverse("console:congress_screen", args=[m]),
        reverse("console:congress_screen_state", args=[m]),
    ]


def writes(w) -> list[tuple[str, dict]]:
    s = w["s"]
    m, p, d, c = s.meeting.pk, w["poll"].pk, s.delegates[0].pk, s.congress.pk
    item = s.meeting.agenda.first().pk
    return [
        (reverse("console:congress_figures", args=[c]), {"min_delegates": 10}),
        (reverse("console:constituency_add", args=[c]), {"name": "二车间"}),
        (reverse("console:delegate_add", args=[c]), {"name": "新代表", "sex": "male", "category": "worker"}),
        (reverse("console:delegate_recall", args=[d]), {"votes_for": 9, "constituency_size": 10}),
        (reverse("console:delegate_end", args=[d]), {"status": "left", "on": "2026-03-01"}),
        (reverse("console:delegate_replace", args=[w["ended"].pk]), {"name": "继任", "sex": "male"}),
        (reverse("console:meeting_new", args=[c]), {"title": "临时会议"}),
        (reverse("console:meeting_open", args=[m]), {}),
        (reverse("console:meeting_close", args=[m]), {}),
        (reverse("console:meeting_item", args=[m]), {"item": item}),
        (reverse("console:agenda_add", args=[m]), {"title": "其他", "kind": "other"}),
        (reverse("console:meeting_document_add", args=[m]), {"title": "x"}),
        (reverse("console:attendance_record", args=[m]), {"delegate": d}),
        (reverse("console:poll_new", args=[m]), {"kind": "resolution", "title": "x", "options": "x"}),
        (reverse("console:poll_open", args=[p]), {}),
        (reverse("console:poll_close", args=[p]), {}),
        (reverse("console:poll_count", args=[p]), {}),
        (reverse("console:poll_publish", args=[p]), {}),
        (reverse("console:poll_next_round", args=[p]), {}),
        (reverse("console:paper_issue", args=[p]), {"delegate": d}),
    ]


# --- access ----------------------------------------------------------------------------------------------


def test_every_page_renders_for_the_chair(world, chair_a):
    client = logged_in(chair_a)
    assert client.get(reverse("console:congress_list")).status_code == 200
    assert client.get(reverse("console:congress_new")).status_code == 200
    for url in pages(world):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("outsider", ["chair_b", "district_cadre_b"])
def test_another_union_gets_404_on_every_page_and_write(world, outsider, request):
    client = logged_in(request.getfixturevalue(outsider))
    for url in pages(world):
        assert client.get(url).status_code == 404, url
    for url, data in writes(world):
        assert client.post(url, data).status_code == 404, url
    assert world["s"].congress.name not in text(client.get(reverse("console:congress_list")))


def test_a_viewer_reads_every_page_but_every_write_is_refused(world, viewer_a):
    client = logged_in(viewer_a)
    readable = [u for u in pages(world) if "/new/" not in u and "/replace/" not in u]
    for url in readable:
        assert client.get(url).status_code == 200, url
    for url, data in writes(world):
        assert client.post(url, data).status_code == 403, url
    detail = text(client.get(reverse("console:congress_detail", args=[world["s"].congress.pk])))
    assert 'data-testid="delegate-add"' not in detail


def test_a_viewer_sees_the_congress_in_the_list_and_no_create_button(world, viewer_a):
    html = text(logged_in(viewer_a).get(reverse("console:congress_list")))
    assert world["s"].congress.name in html and 'data-testid="congress-new"' not in html


def test_a_person_without_a_role_gets_no_console_page(world, member_a):
    client = logged_in(member_a)
    assert client.get(reverse("console:congress_detail", args=[world["s"].congress.pk])).status_code == 403


# --- the journey through the pages ------------------------------------------------------------------------


def test_the_chair_sets_up_a_congress_holds_a_meeting_and_publishes_a_vote(tree, chair_a):
    client = logged_in(chair_a)
    page = text(client.get(reverse("console:congress_new")))
    assert 'value="congress" selected' in page  # 120 staff: a congress, not an all-staff meeting
    r = client.post(
        reverse("console:congress_new"),
        {
            "name": "西溪科技第一届职工代表大会",
            "kind": "",
            "term_number": 1,
            "term_start": "2026-01-01",
            "term_end": "2030-12-31",
            "staff_count": 120,
            "women_staff": 40,
            "dispatched_staff": 0,
        },
    )
    congress = Congress.objects.get(org=tree.grassroots_a)
    assert r.status_code == 302 and congress.kind == "congress"
    client.post(reverse("console:constituency_add", args=[congress.pk]), {"name": "一车间", "seats": 30})
    constituency = congress.constituencies.get()
    for i in range(30):
        client.post(
            reverse("console:delegate_add", args=[congress.pk]),
            {
                "name": f"代表{i + 1}",
                "sex": "female" if i % 3 == 0 else "male",
                "category": "worker",
                "constituency": constituency.pk,
                "elected_on": "2026-01-05",
            },
        )
    assert congress.delegates.filter(status=DelegateStatus.ACTIVE).count() == 30
    detail = text(client.get(reverse("console:congress_detail", args=[congress.pk])))
    assert 'data-testid="composition-ok"' in detail
    client.post(
        reverse("console:meeting_new", args=[congress.pk]),
        {
            "title": "第一届第一次职工代表大会",
            "starts_at": "2026-03-02T09:00",
            "place": "大礼堂",
            "agenda": "厂长工作报告\n表决工资集体协商方案\n选举职工董事",
        },
    )
    meeting = Meeting.objects.get(congress=congress)
    assert [a.kind for a in meeting.agenda.all()] == ["report", "resolution", "election"]
    client.post(reverse("console:meeting_open", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.OPEN
    page = text(client.get(reverse("console:meeting_detail", args=[meeting.pk])))
    assert 'data-testid="checkin-qr"' in page and "<svg" in page
    for d in congress.delegates.all()[:21]:
        client.post(reverse("console:attendance_record", args=[meeting.pk]), {"delegate": d.pk})
    assert Attendance.objects.filter(meeting=meeting).count() == 21
    second = meeting.agenda.get(order=2)
    client.post(reverse("console:meeting_item", args=[meeting.pk]), {"item": second.pk})
    tellers = [make_user("13800000031", "计票甲"), make_user("13800000032", "计票乙")]
    for t in tellers:
        RoleAssignment.objects.create(user=t, org=tree.grassroots_a, role=Role.VIEWER)
    poll_page = text(client.get(reverse("console:poll_new", args=[meeting.pk])))
    assert "表决工资集体协商方案" in poll_page  # the current agenda item is the default
    r = client.post(
        reverse("console:poll_new", args=[meeting.pk]),
        {
            "kind": "resolution",
            "title": "表决工资集体协商方案",
            "agenda_item": second.pk,
            "options": "工资集体协商方案\n女职工专项集体合同",
            "secret": "on",
            "teller_a": tellers[0].pk,
            "teller_b": tellers[1].pk,
        },
    )
    poll = Poll.objects.get(meeting=meeting)
    assert r.status_code == 302 and poll.options.count() == 2
    client.post(reverse("console:poll_open", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.status == PollStatus.OPEN and poll.present_at_open == 21
    present = [a.delegate for a in Attendance.objects.filter(meeting=meeting).select_related("delegate")]
    for d in present[:16]:
        client.post(reverse("console:paper_issue", args=[poll.pk]), {"delegate": d.pk})
    html = text(client.get(reverse("console:poll_detail", args=[poll.pk])))
    assert 'data-testid="turnout-voted">16<' in html and 'data-testid="result"' not in html
    client.post(reverse("console:poll_close", args=[poll.pk]))
    options = list(poll.options.all())
    for teller in tellers:
        t = logged_in(teller)
        for serial in range(1, 17):
            t.post(
                reverse("console:paper_entry", args=[poll.pk]),
                {"serial": serial, f"o{options[0].pk}": "approve", f"o{options[1].pk}": "oppose"},
            )
    client.post(reverse("console:poll_count", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.result["valid"] == 16
    html = text(client.get(reverse("console:poll_detail", args=[poll.pk])))
    assert 'data-testid="result"' in html and 'data-vote-chart="poll-chart"' in html
    assert 'data-testid="poll-publish"' in html
    client.post(reverse("console:poll_publish", args=[poll.pk]))
    poll.refresh_from_db()
    assert poll.status == PollStatus.PUBLISHED
    screen = text(client.get(reverse("console:congress_screen_state", args=[meeting.pk])))
    assert 'data-testid="screen-result"' in screen and "工资集体协商方案" in screen
    client.post(reverse("console:meeting_close", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED


def test_opening_a_vote_without_quorum_shows_the_numbers_and_keeps_it_in_preparation(tree, chair_a):
    s = make_congress(org=tree.grassroots_a, chair=chair_a, present=19)
    poll = services.poll_create(
        actor=chair_a, meeting=s.meeting, kind="resolution", title="方案", options=["方案"]
    )
    r = logged_in(chair_a).post(reverse("console:poll_open", args=[poll.pk]), follow=True)
    html = text(r)
    assert r.status_code == 200
    assert "20" in html and "19" in html and ("No quorum" in html or "未达法定人数" in html)
    poll.refresh_from_db()
    assert poll.status == PollStatus.DRAFT


def test_the_meeting_page_shows_present_against_the_quorum(tree, chair_a):
    s = make_congress(org=tree.grassroots_a, chair=chair_a, present=12)
    html = text(logged_in(chair_a).get(reverse("console:meeting_detail", args=[s.meeting.pk])))
    assert 'data-testid="present-count">12<' in html and 'data-testid="quorum-short"' in html


# --- tellers ---------------------------------------------------------------------------------------------


@pytest.fixture
def paper_poll(tree, chair_a):
    """A secret resolution with two tellers who are delegates without any union role, open, three paper
    ballots handed out and ten phone votes; then closed."""
    s = make_congress(org=tree.grassroots_a, chair=chair_a)
    teller_a, teller_b = s.users[0], s.users[1]
    poll = services.poll_create(
        actor=chair_a,
        meeting=s.meeting,
        kind="resolution",
        title="职工福利方案",
        options=["职工福利方案"],
        teller_a=teller_a,
        teller_b=teller_b,
    )
    services.poll_open(actor=chair_a, poll=poll)
    option = poll.options.get()
    for user in s.users[5:15]:
        services.ballot_cast(user=user, poll=poll, marks={option.pk: "approve"})
    chair = logged_in(chair_a)
    for d in s.delegates[20:23]:
        chair.post(reverse("console:paper_issue", args=[poll.pk]), {"delegate": d.pk})
    chair.post(reverse("console:poll_close", args=[poll.pk]))
    poll.refresh_from_db()
    return {"s": s, "poll": poll, "option": option, "a": teller_a, "b": teller_b}


def enter(client, poll, option, serial, choice):
    return client.post(
        reverse("console:paper_entry", args=[poll.pk]), {"serial": serial, f"o{option.pk}": choice}
    )


def test_tellers_without_a_role_enter_ballots_and_a_mismatch_blocks_the_count_until_corrected(
    paper_poll, chair_a
):
    poll, option = paper_poll["poll"], paper_poll["option"]
    assert poll.status == PollStatus.CLOSED and poll.result is None
    a, b = logged_in(paper_poll["a"]), logged_in(paper_poll["b"])
    assert a.get(reverse("console:paper_entry", args=[poll.pk])).status_code == 200
    for serial, choice in ((1, "approve"), (2, "oppose"), (3, "abstain")):
        assert enter(a, poll, option, serial, choice).status_code == 302
    for serial, choice in ((1, "approve"), (2, "approve"), (3, "abstain")):
        enter(b, poll, option, serial, choice)
    page = text(b.get(reverse("console:paper_entry", args=[poll.pk])))
    assert 'data-testid="mismatches"' in page and "2" in page
    chair = logged_in(chair_a)
    html = text(chair.get(reverse("console:poll_detail", args=[poll.pk])))
    assert 'data-testid="mismatches"' in html
    r = chair.post(reverse("console:poll_count", args=[poll.pk]), follow=True)
    poll.refresh_from_db()
    assert r.status_code == 200 and poll.result is None
    enter(b, poll, option, 2, "oppose")
    page = text(b.get(reverse("console:paper_entry", args=[poll.pk])))
    assert 'data-testid="tellers-agree"' in page
    chair.post(reverse("console:poll_count", args=[poll.pk]))
    poll.refresh_from_db()
    counts = poll.result["counts"][0]
    assert (counts["approve"], counts["oppose"], counts["abstain"]) == (11, 1, 1)


def test_someone_who_is_not_a_teller_cannot_reach_the_entry_page(paper_poll, chair_a, member_a):
    url = reverse("console:paper_entry", args=[paper_poll["poll"].pk])
    assert logged_in(member_a).get(url).status_code == 404
    assert logged_in(chair_a).get(url).status_code == 404  # the chair is not one of the two tellers
    anonymous = CastClient().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_screen_shows_turnout_while_open_and_the_result_only_once_published(paper_poll, chair_a):
    poll, option = paper_poll["poll"], paper_poll["option"]
    s = paper_poll["s"]
    chair = logged_in(chair_a)
    url = reverse("console:congress_screen_state", args=[s.meeting.pk])
    for client in (logged_in(paper_poll["a"]), logged_in(paper_poll["b"])):
        for serial in (1, 2, 3):
            enter(client, poll, option, serial, "approve")
    chair.post(reverse("console:poll_count", args=[poll.pk]))
    state = text(chair.get(url))
    assert 'data-testid="screen-poll-status"' in state and 'data-testid="screen-result"' not in state
    chair.post(reverse("console:poll_publish", args=[poll.pk]))
    state = text(chair.get(url))
    assert 'data-testid="screen-result"' in state and 'data-vote-chart="screen-chart"' in state
    assert 'data-testid="screen-present">30<' in state


def test_the_screen_page_refreshes_its_state_every_three_seconds_and_shows_the_qr_code(setup, chair_a):
    html = text(logged_in(chair_a).get(reverse("console:congress_screen", args=[setup.meeting.pk])))
    state_url = reverse("console:congress_screen_state", args=[setup.meeting.pk])
    assert f'hx-get="{state_url}"' in html and 'hx-trigger="every 3s"' in html
    assert 'data-testid="screen-checkin"' in html and 'class="sidenav"' not in html
    assert "<script>" not in html  # CSP: no inline scripts


def test_the_screen_shows_turnout_but_no_marks_while_voting(setup, chair_a):
    poll = services.poll_create(
        actor=chair_a, meeting=setup.meeting, kind="resolution", title="方案", options=["方案"]
    )
    services.poll_open(actor=chair_a, poll=poll)
    option = poll.options.get()
    for user in setup.users[:7]:
        services.ballot_cast(user=user, poll=poll, marks={option.pk: "approve"})
    state = text(logged_in(chair_a).get(reverse("console:congress_screen_state", args=[setup.meeting.pk])))
    assert 'data-testid="screen-voted">7<' in state
    assert 'data-testid="screen-result"' not in state and 'data-testid="screen-checkin"' not in state


# --- delegates ---------------------------------------------------------------------------------------------


def test_a_recall_short_of_half_the_constituency_is_refused_with_the_numbers(setup, chair_a):
    d = setup.delegates[3]
    client = logged_in(chair_a)
    url = reverse("console:delegate_recall", args=[d.pk])
    data = {"votes_for": 10, "constituency_size": 20, "on": "2026-03-01", "reason": "失职"}
    html = text(client.post(url, data, follow=True))
    d.refresh_from_db()
    assert d.status == DelegateStatus.ACTIVE and "11" in html
    client.post(url, {**data, "votes_for": 11})
    d.refresh_from_db()
    assert d.status == DelegateStatus.RECALLED and d.recall_votes == 11


def test_an_ended_delegate_is_replaced_by_a_successor_linked_to_them(setup, chair_a):
    d = setup.delegates[4]
    client = logged_in(chair_a)
    client.post(
        reverse("console:delegate_end", args=[d.pk]), {"status": "left", "on": "2026-03-01", "reason": "离职"}
    )
    d.refresh_from_db()
    assert d.status == DelegateStatus.LEFT
    r = client.post(
        reverse("console:delegate_replace", args=[d.pk]),
        {"name": "继任代表", "sex": "female", "category": "technician", "elected_on": "2026-03-02"},
    )
    successor = Delegate.objects.get(name="继任代表")
    assert r.status_code == 302 and successor.replaces == d
    html = text(client.get(reverse("console:delegate_detail", args=[d.pk])))
    assert 'data-testid="successor"' in html


def test_a_delegate_is_picked_from_the_active_members_by_search(tree, chair_a, member_a, setup):
    from tests.test_disclosure import join

    join(chair_a, tree.grassroots_a, member_a, n=1)
    client = logged_in(chair_a)
    url = reverse("console:delegate_add", args=[setup.congress.pk])
    page = text(client.get(url, {"q": "张"}))
    assert 'data-testid="member-picks"' in page and "张伟" in page
    from gonghui.members.models import Member

    member = Member.objects.get(user=member_a)
    r = client.post(url, {"member": member.pk, "category": "worker", "elected_on": "2026-03-02"})
    delegate = Delegate.objects.get(member=member)
    assert r.status_code == 302 and delegate.name == "张伟" and delegate.user == member_a


def test_the_composition_warning_gives_the_numbers(setup, chair_a):
    client = logged_in(chair_a)
    services.congress_set_figures(actor=chair_a, congress=setup.congress, max_manager_percent=5)
    html = text(client.get(reverse("console:congress_detail", args=[setup.congress.pk])))
    assert 'data-testid="composition-warnings"' in html
    # 3 middle managers among 30 delegates; 5% allows 1.
    assert ("3" in html and "5%" in html and "(at most 1)" in html) or "上限1人" in html


def test_the_figures_are_changed_through_the_form(setup, chair_a):
    client = logged_in(chair_a)
    url = reverse("console:congress_figures", args=[setup.congress.pk])
    data = {
        "staff_count": 120,
        "women_staff": 40,
        "dispatched_staff": 0,
        "min_delegate_percent": "5",
        "min_delegates": 30,
        "max_manager_percent": 20,
        "quorum_numerator": 3,
        "quorum_denominator": 4,
        "contest_margin_percent": 5,
        "min_cosigners": 2,
        "proposal_answer_days": 20,
    }
    assert client.post(url, data).status_code == 302
    setup.congress.refresh_from_db()
    assert setup.congress.quorum == (3, 4)
    r = client.post(url, {**data, "quorum_numerator": 5})
    assert r.status_code == 200  # five quarters is refused, on the form
    setup.congress.refresh_from_db()
    assert setup.congress.quorum == (3, 4)


# --- bad input and queries ------------------------------------------------------------------------------


def test_bad_input_is_a_message_never_a_server_error(world, chair_a):
    client = logged_in(chair_a)
    s, p = world["s"], world["poll"]
    m = s.meeting.pk
    assert client.post(reverse("console:congress_new"), {"name": "", "term_start": "x"}).status_code == 200
    assert client.post(reverse("console:meeting_item", args=[m]), {"item": "x"}).status_code == 302
    assert client.post(reverse("console:attendance_record", args=[m]), {"delegate": "abc"}).status_code == 302
    assert client.post(reverse("console:paper_issue", args=[p.pk]), {"delegate": ""}).status_code == 302
    assert (
        client.post(reverse("console:poll_new", args=[m]), {"kind": "election", "title": "x"}).status_code
        == 200
    )
    r = client.post(
        reverse("console:poll_new", args=[m]),
        {"kind": "election", "title": "选举", "options": "甲\n乙", "seats": 2, "contested": "on"},
    )
    assert r.status_code == 200 and Poll.objects.filter(title="选举").count() == 0
    assert client.post(reverse("console:poll_count", args=[p.pk])).status_code == 302
    assert client.post(reverse("console:poll_next_round", args=[p.pk])).status_code == 302
    assert client.post(reverse("console:meeting_document_add", args=[m]), {}).status_code == 302
    assert client.get(reverse("console:paper_entry", args=[p.pk])).status_code == 404
    assert (
        client.post(reverse("console:constituency_add", args=[s.congress.pk]), {"name": "一车间"}).status_code
        == 302
    )


def test_a_district_cadre_is_told_to_switch_to_a_grassroots_union_to_start_a_congress(tree, district_cadre_a):
    r = logged_in(district_cadre_a).post(reverse("console:congress_new"), {"name": "x"})
    assert r.status_code == 200 and Congress.objects.count() == 0


def test_the_congress_list_costs_the_same_queries_for_one_term_or_five(tree, chair_a, district_cadre_a):
    client = logged_in(district_cadre_a)
    url = reverse("console:congress_list")
    make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(2, 6):
        services.congress_create(
            actor=chair_a,
            org=tree.grassroots_a,
            name=f"第{n}届",
            term_number=n,
            term_start=TERM_START,
            term_end=datetime.date(2030, 12, 31),
            staff_count=200,
        )
    with CaptureQueriesContext(connection) as many:
        html = text(client.get(url))
    assert len(many) == len(few) and "第5届" in html


def test_the_attendance_sheet_costs_the_same_queries_for_five_delegates_or_forty(
    tree, chair_a, chair_b, province_cadre
):
    small = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=5)
    big = make_congress(org=tree.grassroots_b, chair=chair_b, delegates=40, mobile_prefix="1371000")
    client = logged_in(province_cadre)
    client.get(reverse("console:attendance_record", args=[small.meeting.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("console:attendance_record", args=[small.meeting.pk]))
    with CaptureQueriesContext(connection) as many:
        html = text(client.get(reverse("console:attendance_record", args=[big.meeting.pk])))
    assert len(many) == len(few) and html.count('data-testid="attendance-') >= 40


def test_the_check_in_desk_answers_htmx_with_the_sheet_alone(tree, chair_a):
    s = make_congress(org=tree.grassroots_a, chair=chair_a, present=0)
    client = logged_in(chair_a)
    url = reverse("console:attendance_record", args=[s.meeting.pk])
    r = client.post(url, {"delegate": s.delegates[2].pk, "q": "代表3"}, HTTP_HX_REQUEST="true")
    html = text(r)
    assert r.status_code == 200 and "<html" not in html and 'data-testid="present-count">1<' in html
    assert Attendance.objects.filter(meeting=s.meeting).count() == 1
    found = text(client.get(url, {"q": "代表2", "show": "absent"}, HTTP_HX_REQUEST="true"))
    assert "代表2" in found and "代表3<" not in found
