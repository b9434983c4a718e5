"""The delegate's phone pages of the workers' congress: my congress, check-in by the meeting's QR code, the
ballot with its receipt shown once, the receipt check and the meeting documents.

Four delegates serve in the congress of grassroots union A (three present make the quorum: 3 * 3 >= 4 * 2);
the fourth has not checked in. Zhang (member_a) is no delegate; a delegate of union B's congress must not
reach union A's meetings or votes.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.congress import services
from gonghui.congress.models import Attendance, Ballot, MeetingStatus, Participation, PollStatus
from tests.conftest import CastClient
from tests.congress_setup import make_congress

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 20, 9, 30, tzinfo=SHANGHAI)


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


@pytest.fixture
def setup(tree, chair_a):
    return make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4, present=3)


@pytest.fixture
def resolution(setup, chair_a):
    poll = services.poll_create(
        actor=chair_a,
        meeting=setup.meeting,
        kind="resolution",
        title="关于工资集体协商方案的表决",
        options=["2027年工资集体协商方案", "职工福利费使用方案"],
    )
    return services.poll_open(actor=chair_a, poll=poll)


@pytest.fixture
def election(setup, chair_a):
    poll = services.poll_create(
        actor=chair_a,
        meeting=setup.meeting,
        kind="election",
        title="选举职工董事",
        options=["王芳", "李强"],
        seats=1,
    )
    return services.poll_open(actor=chair_a, poll=poll)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def said(response, msgid: str) -> bool:
    """Whether the page carries this service message, in whatever language the catalogue gives it."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(msgid) in messages_of(response)


def vote_url(poll) -> str:
    return reverse("portal:congress_vote", args=[poll.pk])


def marks_of(poll, *choices: str) -> dict[str, str]:
    ids = list(poll.options.values_list("pk", flat=True))
    return {f"opt-{oid}": choice for oid, choice in zip(ids, choices, strict=False) if choice}


# --- my congress ---------------------------------------------------------------------------------------------


def test_a_delegate_sees_the_meeting_their_check_in_and_the_open_vote(setup, resolution):
    page = logged_in(setup.users[0]).get(reverse("portal:congress_home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert setup.congress.name in html and setup.meeting.title in html
    assert f'data-testid="present-{setup.meeting.pk}"' in html
    assert resolution.title in html and reverse("portal:congress_vote", args=[resolution.pk]) in html


def test_a_worker_who_is_no_delegate_gets_a_friendly_page(setup, member_a):
    page = logged_in(member_a).get(reverse("portal:congress_home"))
    assert page.status_code == 200
    assert 'data-testid="not-delegate"' in page.content.decode()
    assert setup.meeting.title not in page.content.decode()


def test_the_congress_pages_need_a_login(setup, client):
    response = client.get(reverse("portal:congress_home"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_my_congress_page_reads_a_fixed_number_of_queries(
    setup, chair_a, resolution, django_assert_num_queries
):
    me = logged_in(setup.users[0])
    me.get(reverse("portal:congress_home"))  # warm the session and the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        me.get(reverse("portal:congress_home"))
    for i in range(3):
        meeting = services.meeting_create(
            actor=chair_a, congress=setup.congress, title=f"第{i + 2}次会议", starts_at=NOW
        )
        services.meeting_open(actor=chair_a, meeting=meeting)
        services.attendance_record(actor=chair_a, meeting=meeting, delegate=setup.delegates[0])
    with django_assert_num_queries(len(few)):
        me.get(reverse("portal:congress_home"))


def test_the_meeting_page_shows_the_agenda_with_the_current_item_and_the_votes(setup, resolution):
    page = logged_in(setup.users[0]).get(reverse("portal:congress_meeting", args=[setup.meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "审议工资集体协商方案" in html and 'data-testid="current-item"' in html
    assert f'data-testid="vote-{resolution.pk}"' in html


def test_another_congress_s_delegate_and_a_worker_get_404_on_the_meeting(setup, tree, chair_b, member_a):
    other = make_congress(org=tree.grassroots_b, chair=chair_b, delegates=3, mobile_prefix="1370001")
    url = reverse("portal:congress_meeting", args=[setup.meeting.pk])
    assert logged_in(other.users[0]).get(url).status_code == 404
    assert logged_in(member_a).get(url).status_code == 404


# --- check-in ----------------------------------------------------------------------------------------------


def test_a_delegate_scans_the_code_confirms_and_is_checked_in_once(setup):
    late = setup.users[3]
    url = reverse("portal:congress_checkin", args=[setup.meeting.checkin_token])
    me = logged_in(late)
    page = me.get(url)
    assert page.status_code == 200 and 'data-testid="checkin-confirm"' in page.content.decode()
    assert not Attendance.objects.filter(delegate=setup.delegates[3]).exists()  # a GET changes nothing
    response = me.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:congress_meeting", args=[setup.meeting.pk])
    assert me.post(url).status_code == 302  # scanning twice is harmless
    assert Attendance.objects.filter(delegate=setup.delegates[3]).count() == 1
    assert 'data-testid="checked-in"' in me.get(url).content.decode()


def test_the_check_in_page_needs_a_login_and_comes_back_after_it(setup, client):
    url = reverse("portal:congress_checkin", args=[setup.meeting.checkin_token])
    response = client.get(url)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_a_worker_who_is_no_delegate_cannot_check_in(setup, member_a):
    url = reverse("portal:congress_checkin", args=[setup.meeting.checkin_token])
    me = logged_in(member_a)
    assert me.get(url).status_code == 404
    assert me.post(url).status_code == 404
    assert 'data-testid="checkin-invalid"' in me.get(url).content.decode()


def test_a_wrong_code_is_not_a_check_in(setup):
    response = logged_in(setup.users[3]).post(reverse("portal:congress_checkin", args=["nope"]))
    assert response.status_code == 404
    assert not Attendance.objects.filter(delegate=setup.delegates[3]).exists()


def test_check_in_waits_for_the_meeting_to_open(setup, chair_a):
    planned = services.meeting_create(
        actor=chair_a, congress=setup.congress, title="第二次会议", starts_at=NOW
    )
    assert planned.status == MeetingStatus.PLANNED
    url = reverse("portal:congress_checkin", args=[planned.checkin_token])
    me = logged_in(setup.users[0])
    assert 'data-testid="checkin-confirm"' not in me.get(url).content.decode()
    me.post(url)
    assert not Attendance.objects.filter(meeting=planned).exists()


# --- the ballot --------------------------------------------------------------------------------------------


def test_a_delegate_votes_and_sees_the_receipt_once(setup, resolution):
    me = logged_in(setup.users[0])
    form = me.get(vote_url(resolution))
    assert form.status_code == 200 and 'data-testid="ballot"' in form.content.decode()
    response = me.post(vote_url(resolution), marks_of(resolution, "approve", "oppose"))
    assert response.status_code == 200
    receipt = response.context["receipt"]
    assert receipt and receipt in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Counted once, anonymously: one participation, one ballot without a name.
    assert Participation.objects.filter(poll=resolution).count() == 1
    ballot = Ballot.objects.get(poll=resolution)
    assert set(ballot.marks.values()) == {"approve", "oppose"}
    # The code is kept nowhere the browser or the server could show it again.
    session = me.session
    assert all(receipt not in str(value) for _key, value in session.items())
    again = me.get(vote_url(resolution))
    assert receipt not in again.content.decode()
    assert 'data-testid="already-voted"' in again.content.decode()


def test_a_second_vote_is_refused_with_a_clear_message(setup, resolution):
    me = logged_in(setup.users[0])
    me.post(vote_url(resolution), marks_of(resolution, "approve", "approve"))
    second = me.post(vote_url(resolution), marks_of(resolution, "oppose", "oppose"))
    assert second.status_code == 409
    assert 'data-testid="already-voted"' in second.content.decode()
    assert said(second, "You have already voted in this vote.")
    assert Ballot.objects.filter(poll=resolution).count() == 1
    assert Participation.objects.filter(poll=resolution).count() == 1


def test_unmarked_items_are_abstentions(setup, resolution):
    logged_in(setup.users[1]).post(vote_url(resolution), {})
    assert Ballot.objects.get(poll=resolution).marks == {}
    assert Participation.objects.filter(poll=resolution).count() == 1


def test_a_delegate_who_has_not_checked_in_is_sent_to_check_in(setup, resolution):
    me = logged_in(setup.users[3])
    page = me.get(vote_url(resolution))
    html = page.content.decode()
    assert 'data-testid="not-checked-in"' in html and 'data-testid="ballot"' not in html
    assert reverse("portal:congress_meeting", args=[setup.meeting.pk]) + "#checkin" in html
    assert setup.meeting.checkin_token not in html  # presence is proven by scanning at the hall
    refused = me.post(vote_url(resolution), marks_of(resolution, "approve"))
    assert refused.status_code == 409
    assert not Participation.objects.filter(poll=resolution).exists()


def test_a_worker_or_another_congress_s_delegate_gets_404_on_the_ballot(
    setup, tree, chair_b, member_a, resolution
):
    other = make_congress(org=tree.grassroots_b, chair=chair_b, delegates=3, mobile_prefix="1370001")
    for user in (member_a, other.users[0]):
        me = logged_in(user)
        assert me.get(vote_url(resolution)).status_code == 404
        assert me.post(vote_url(resolution), marks_of(resolution, "approve")).status_code == 404
    assert not Participation.objects.filter(poll=resolution).exists()


def test_a_vote_in_preparation_is_not_shown_to_delegates(setup, chair_a):
    draft = services.poll_create(
        actor=chair_a, meeting=setup.meeting, kind="resolution", title="草稿", options=["事项"]
    )
    assert logged_in(setup.users[0]).get(vote_url(draft)).status_code == 404


def test_an_election_ballot_takes_another_name_and_refuses_too_many_approvals(setup, election):
    me = logged_in(setup.users[0])
    page = me.get(vote_url(election)).content.decode()
    assert 'data-testid="write-in-1"' in page and 'data-seats="1"' in page
    assert "<script>" not in page  # the hint comes from static/js/ballot.js, not an inline script
    too_many = me.post(vote_url(election), {**marks_of(election, "approve"), "write_in": ["赵敏"]})
    assert too_many.status_code == 409
    assert any("2" in m and "1" in m for m in messages_of(too_many))  # "you approved 2 people for 1 seat"
    assert 'value="赵敏"' in too_many.content.decode()  # the ballot comes back as it was marked
    assert not Participation.objects.filter(poll=election).exists()
    done = me.post(vote_url(election), {**marks_of(election, "oppose", "oppose"), "write_in": ["赵敏"]})
    assert done.status_code == 200 and done.context["receipt"]
    assert Ballot.objects.get(poll=election).write_ins == ["赵敏"]


def test_an_open_vote_has_no_receipt(setup, chair_a):
    poll = services.poll_create(
        actor=chair_a,
        meeting=setup.meeting,
        kind="resolution",
        title="举手表决",
        options=["议程"],
        secret=False,
    )
    services.poll_open(actor=chair_a, poll=poll)
    response = logged_in(setup.users[0]).post(vote_url(poll), marks_of(poll, "approve"))
    assert response.status_code == 200 and response.context["receipt"] is None
    assert 'data-testid="receipt"' not in response.content.decode()


# --- results and receipts ----------------------------------------------------------------------------------


def test_the_result_is_hidden_from_delegates_until_it_is_published(setup, chair_a, resolution):
    for user in setup.users[:3]:
        logged_in(user).post(vote_url(resolution), marks_of(resolution, "approve", "oppose"))
    services.poll_close(actor=chair_a, poll=resolution)
    resolution.refresh_from_db()
    assert resolution.status == PollStatus.CLOSED and resolution.result is not None
    me = logged_in(setup.users[0])
    meeting_url = reverse("portal:congress_meeting", args=[setup.meeting.pk])
    assert f'data-testid="result-{resolution.pk}"' not in me.get(meeting_url).content.decode()
    assert 'data-testid="poll-counting"' in me.get(vote_url(resolution)).content.decode()
    services.poll_publish(actor=chair_a, poll=resolution)
    html = me.get(meeting_url).content.decode()
    assert f'data-testid="result-{resolution.pk}"' in html
    # 3 of 4 approve the first item (it passes: more than half of all delegates), nobody the second.
    assert html.count('class="badge badge-approved">') >= 1 and 'class="badge badge-rejected">' in html


def test_a_receipt_shows_it_was_counted_once_published_and_never_the_marks(
    setup, chair_a, member_a, resolution
):
    receipt = (
        logged_in(setup.users[0])
        .post(vote_url(resolution), marks_of(resolution, "approve", "oppose"))
        .context["receipt"]
    )
    checker = logged_in(member_a)  # anyone signed in may check a code
    url = reverse("portal:congress_receipt")
    assert checker.get(url).status_code == 200
    before = checker.post(url, {"code": receipt})
    assert 'data-testid="receipt-not-found"' in before.content.decode()
    services.poll_close(actor=chair_a, poll=resolution)
    services.poll_publish(actor=chair_a, poll=resolution)
    after = checker.post(url, {"code": receipt.lower().replace("-", " ")})
    html = after.content.decode()
    assert 'data-testid="receipt-found"' in html and resolution.title in html
    assert "result-table" not in html and "approve" not in html
    assert 'data-testid="receipt-not-found"' in checker.post(url, {"code": "AAAA-BBBB-CCCC"}).content.decode()


# --- documents -----------------------------------------------------------------------------------------------


def test_a_delegate_downloads_a_meeting_document_and_others_get_404(setup, chair_a, member_a):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    doc = services.meeting_document_add(actor=chair_a, meeting=setup.meeting, title="工作报告", file=pdf)
    url = reverse("portal:congress_document", args=[setup.meeting.pk, doc.pk])
    assert (
        url
        in logged_in(setup.users[0])
        .get(reverse("portal:congress_meeting", args=[setup.meeting.pk]))
        .content.decode()
    )
    response = logged_in(setup.users[0]).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert logged_in(member_a).get(url).status_code == 404
    wrong = reverse("portal:congress_document", args=[setup.meeting.pk, doc.pk + 1])
    assert logged_in(setup.users[0]).get(wrong).status_code == 404
