"""The workers' congress services: terms and figures, delegates, attendance and quorum, polls and the secret ballot.

Wu (chair_a) runs the congress of grassroots union A; Zheng (chair_b) in district B must not reach it; Chen
(viewer_a) may read but not act. Delegates are people with accounts built by tests/congress_setup.py.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.congress import selectors, services
from gonghui.congress.models import (
    Attendance,
    Ballot,
    Delegate,
    DelegateStatus,
    Participation,
    Poll,
    PollStatus,
)
from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord
from tests.congress_setup import TERM_END, TERM_START, make_congress


def _election(setup, chair, *, seats=1, options=("王芳", "李强"), **kw):
    poll = services.poll_create(
        actor=chair,
        meeting=setup.meeting,
        kind="election",
        title="选举职工董事",
        options=list(options),
        seats=seats,
        **kw,
    )
    return poll, list(poll.options.values_list("pk", flat=True))


def _resolution(setup, chair, *, secret=True, items=("关于2027年工资集体协商方案的决议",)):
    poll = services.poll_create(
        actor=chair,
        meeting=setup.meeting,
        kind="resolution",
        title="表决",
        options=list(items),
        secret=secret,
    )
    return poll, list(poll.options.values_list("pk", flat=True))


# --- the congress and its delegates ------------------------------------------------------------------------


def test_a_small_unit_gets_an_all_staff_meeting_by_default(tree, chair_a):
    congress = services.congress_create(
        actor=chair_a,
        org=tree.grassroots_a,
        name="职工大会",
        term_start=TERM_START,
        term_end=TERM_END,
        staff_count=60,
    )
    assert congress.kind == "all_staff"
    assert congress.quorum == (2, 3) and congress.min_delegates == 30


def test_a_term_shorter_than_three_years_is_refused(tree, chair_a):
    with pytest.raises(ServiceError) as err:
        services.congress_create(
            actor=chair_a,
            org=tree.grassroots_a,
            name="职代会",
            term_start=TERM_START,
            term_end=datetime.date(2027, 12, 31),
            staff_count=300,
        )
    assert err.value.code == "term_length"


def test_a_congress_belongs_to_a_grassroots_union(tree, district_cadre_a):
    with pytest.raises(ServiceError) as err:
        services.congress_create(
            actor=district_cadre_a,
            org=tree.district_a,
            name="x",
            term_start=TERM_START,
            term_end=TERM_END,
            staff_count=300,
        )
    assert err.value.code == "not_grassroots"


def test_a_chair_in_another_district_cannot_start_or_see_a_congress_here(tree, chair_a, chair_b):
    with pytest.raises(NotFound):
        services.congress_create(
            actor=chair_b,
            org=tree.grassroots_a,
            name="x",
            term_start=TERM_START,
            term_end=TERM_END,
            staff_count=300,
        )
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3)
    with pytest.raises(NotFound):
        selectors.congress_get(actor=chair_b, congress_id=setup.congress.pk)
    assert list(selectors.congress_list(actor=chair_b)) == []


def test_a_viewer_reads_the_congress_but_cannot_change_it(tree, chair_a, viewer_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3)
    assert selectors.congress_get(actor=viewer_a, congress_id=setup.congress.pk) == setup.congress
    with pytest.raises(PermissionDenied):
        services.congress_set_figures(actor=viewer_a, congress=setup.congress, quorum_numerator=1)


def test_the_congress_may_change_its_figures_and_the_change_is_audited(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3)
    services.congress_set_figures(
        actor=chair_a, congress=setup.congress, quorum_numerator=3, quorum_denominator=4
    )
    setup.congress.refresh_from_db()
    assert setup.congress.quorum == (3, 4)
    assert AuditRecord.objects.filter(action="gonghui.congress.figures_changed").count() == 1
    with pytest.raises(ServiceError):
        services.congress_set_figures(actor=chair_a, congress=setup.congress, quorum_numerator=5)
    setup.congress.refresh_from_db()
    assert setup.congress.quorum == (3, 4)


def test_composition_warnings_show_the_numbers(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=10)
    report = selectors.composition(congress=setup.congress)
    codes = {w.code: w for w in report.warnings}
    assert codes["too_few"].actual == 10 and codes["too_few"].expected == 30
    assert report.composition.women == 5 and report.composition.middle_managers == 1


def test_a_person_serves_once_in_a_congress(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=2)
    with pytest.raises(ServiceError) as err:
        services.delegate_add(
            actor=chair_a,
            congress=setup.congress,
            elected_on=TERM_START,
            category="worker",
            name="重复",
            sex="male",
            user=setup.users[0],
        )
    assert err.value.code == "already_delegate"


def test_a_recall_short_of_half_the_constituency_is_refused_and_changes_nothing(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=2)
    delegate = setup.delegates[0]
    with pytest.raises(ServiceError) as err:
        services.delegate_recall(
            actor=chair_a, delegate=delegate, votes_for=20, constituency_size=40, on=TERM_START, reason="失职"
        )
    assert err.value.code == "recall_short"
    delegate.refresh_from_db()
    assert delegate.status == DelegateStatus.ACTIVE
    services.delegate_recall(
        actor=chair_a, delegate=delegate, votes_for=21, constituency_size=40, on=TERM_START, reason="失职"
    )
    delegate.refresh_from_db()
    assert delegate.status == DelegateStatus.RECALLED and delegate.recall_votes == 21


def test_a_replacement_is_linked_to_the_delegate_it_replaces(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=2)
    old = services.delegate_end(
        actor=chair_a, delegate=setup.delegates[0], status="left", on=TERM_START, reason="调离"
    )
    new = services.delegate_add(
        actor=chair_a,
        congress=setup.congress,
        elected_on=TERM_START,
        category="worker",
        name="补选代表",
        sex="female",
        replaces=old,
    )
    assert old.replaced_by == new
    with pytest.raises(ServiceError):
        services.delegate_add(
            actor=chair_a,
            congress=setup.congress,
            elected_on=TERM_START,
            category="worker",
            name="x",
            sex="male",
            replaces=setup.delegates[1],  # still serving
        )


# --- attendance and quorum ---------------------------------------------------------------------------------


def test_a_delegate_checks_in_by_the_meeting_code_and_scanning_twice_is_harmless(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3, present=0)
    services.attendance_checkin(user=setup.users[0], token=setup.meeting.checkin_token)
    services.attendance_checkin(user=setup.users[0], token=setup.meeting.checkin_token)
    assert Attendance.objects.filter(meeting=setup.meeting).count() == 1


def test_someone_who_is_not_a_delegate_cannot_check_in(tree, chair_a, member_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3, present=0)
    with pytest.raises(ServiceError) as err:
        services.attendance_checkin(user=member_a, token=setup.meeting.checkin_token)
    assert err.value.code == "not_a_delegate"
    with pytest.raises(NotFound):
        services.attendance_checkin(user=setup.users[0], token="no-such-code")


def test_a_vote_cannot_open_without_two_thirds_of_all_delegates_present(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=30, present=19)
    poll, _ = _resolution(setup, chair_a)
    with pytest.raises(ServiceError) as err:
        services.poll_open(actor=chair_a, poll=poll)
    assert err.value.code == "no_quorum"
    assert "20" in str(err.value.message) and "19" in str(err.value.message)
    poll.refresh_from_db()
    assert poll.status == PollStatus.DRAFT
    services.attendance_record(actor=chair_a, meeting=setup.meeting, delegate=setup.delegates[19])
    services.poll_open(actor=chair_a, poll=poll)
    poll.refresh_from_db()
    assert poll.status == PollStatus.OPEN and poll.electorate == 30 and poll.present_at_open == 20


def test_recalled_delegates_count_neither_in_the_electorate_nor_as_present(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=6, present=4)
    # 4 of 6 present is a quorum; recalling a present delegate leaves 3 of 5, still a quorum (9 >= 10 is not!)
    services.delegate_recall(
        actor=chair_a,
        delegate=setup.delegates[0],
        votes_for=30,
        constituency_size=40,
        on=TERM_START,
        reason="x",
    )
    poll, _ = _resolution(setup, chair_a)
    with pytest.raises(ServiceError) as err:
        services.poll_open(actor=chair_a, poll=poll)
    assert err.value.details == {"present": 3, "electorate": 5}


# --- voting -------------------------------------------------------------------------------------------------


def test_a_secret_vote_writes_a_participation_and_an_anonymous_ballot(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _resolution(setup, chair_a)
    services.poll_open(actor=chair_a, poll=poll)
    receipt = services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "approve"})
    assert receipt and len(receipt) == 14
    assert Participation.objects.filter(poll=poll).count() == 1
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.marks == {str(opts[0]): "approve"}
    assert ballot.receipt_hash == services.receipt_hash(receipt) and receipt not in ballot.receipt_hash


def test_a_delegate_votes_once(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _resolution(setup, chair_a)
    services.poll_open(actor=chair_a, poll=poll)
    services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "approve"})
    with pytest.raises(ServiceError) as err:
        services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "oppose"})
    assert err.value.code == "already_voted"
    assert Ballot.objects.filter(poll=poll).count() == Participation.objects.filter(poll=poll).count() == 1


def test_the_database_refuses_a_second_participation(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, _ = _resolution(setup, chair_a)
    Participation.objects.create(poll=poll, delegate=setup.delegates[0], channel="phone")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(poll=poll, delegate=setup.delegates[0], channel="phone")


def test_it_rejects_a_ballot_before_the_poll_opens_and_after_it_closed(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _resolution(setup, chair_a)
    with pytest.raises(ServiceError) as err:
        services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "approve"})
    assert err.value.code == "poll_not_open"
    services.poll_open(actor=chair_a, poll=poll)
    services.poll_close(actor=chair_a, poll=poll)
    with pytest.raises(ServiceError) as err:
        services.ballot_cast(user=setup.users[1], poll=poll, marks={opts[0]: "approve"})
    assert err.value.code == "poll_not_open"
    assert Ballot.objects.filter(poll=poll).count() == 0


def test_only_checked_in_serving_delegates_vote(tree, chair_a, member_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4, present=3)
    poll, opts = _resolution(setup, chair_a)
    services.poll_open(actor=chair_a, poll=poll)
    with pytest.raises(ServiceError) as err:
        services.ballot_cast(user=setup.users[3], poll=poll, marks={opts[0]: "approve"})
    assert err.value.code == "not_checked_in"
    with pytest.raises(PermissionDenied):
        services.ballot_cast(user=member_a, poll=poll, marks={opts[0]: "approve"})
    assert Participation.objects.filter(poll=poll).count() == 0


def test_a_phone_ballot_approving_more_than_the_seats_is_refused(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _election(setup, chair_a, seats=1)
    services.poll_open(actor=chair_a, poll=poll)
    with pytest.raises(ServiceError) as err:
        services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "approve"}, write_ins=["赵磊"])
    assert err.value.code == "too_many_approvals"
    assert Participation.objects.filter(poll=poll).count() == 0


def test_results_are_hidden_until_published_and_the_receipt_checks_only_then(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _election(setup, chair_a, seats=1)
    services.poll_open(actor=chair_a, poll=poll)
    receipts = [services.ballot_cast(user=u, poll=poll, marks={opts[0]: "approve"}) for u in setup.users[:3]]
    poll.refresh_from_db()
    assert poll.result is None and selectors.result_for_display(poll, cadre=True) is None
    poll = services.poll_close(actor=chair_a, poll=poll)
    assert selectors.result_for_display(poll, cadre=False) is None
    assert selectors.result_for_display(poll, cadre=True)["elected"] == [f"o{opts[0]}"]
    assert services.receipt_check(code=receipts[0]) is None
    services.poll_publish(actor=chair_a, poll=poll)
    assert services.receipt_check(code=receipts[0].lower().replace("-", "")) == poll
    assert services.receipt_check(code="AAAA-BBBB-CCCC") is None


def test_an_open_vote_keeps_the_named_marks_and_no_ballots(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _resolution(setup, chair_a, secret=False, items=("一", "二"))
    services.poll_open(actor=chair_a, poll=poll)
    assert (
        services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "approve", opts[1]: "oppose"})
        is None
    )
    assert Ballot.objects.count() == 0
    poll = services.poll_close(actor=chair_a, poll=poll)
    counts = poll.result["counts"]
    assert counts[0]["approve"] == 1 and counts[1]["oppose"] == 1 and not counts[0]["passed"]


def test_a_resolution_passes_with_more_than_half_of_all_delegates(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=6)
    poll, opts = _resolution(setup, chair_a)
    services.poll_open(actor=chair_a, poll=poll)
    for user in setup.users[:3]:
        services.ballot_cast(user=user, poll=poll, marks={opts[0]: "approve"})
    poll = services.poll_close(actor=chair_a, poll=poll)
    assert not poll.result["counts"][0]["passed"]  # 3 of 6 is half, not more


def test_every_administrative_action_on_a_poll_is_audited_and_no_vote_is(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _resolution(setup, chair_a)
    services.poll_open(actor=chair_a, poll=poll)
    services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "approve"})
    poll = services.poll_close(actor=chair_a, poll=poll)
    services.poll_publish(actor=chair_a, poll=poll)
    actions = list(
        AuditRecord.objects.filter(action__startswith="gonghui.congress.poll")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "gonghui.congress.poll_created",
        "gonghui.congress.poll_opened",
        "gonghui.congress.poll_closed",
        "gonghui.congress.poll_counted",
        "gonghui.congress.poll_published",
    ]
    assert not AuditRecord.objects.filter(actor=setup.users[0]).exists()


# --- paper ballots, void rounds, further rounds ----------------------------------------------------------


def _paper_poll(setup, chair, tellers, *, seats=1):
    poll, opts = _election(setup, chair, seats=seats, teller_a=tellers[0], teller_b=tellers[1])
    services.poll_open(actor=chair, poll=poll)
    return poll, opts


def test_paper_ballots_count_when_both_tellers_entered_them_alike(tree, chair_a, district_cadre_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    tellers = (chair_a, district_cadre_a)
    poll, opts = _paper_poll(setup, chair_a, tellers)
    for delegate in setup.delegates[:3]:
        services.paper_issue(actor=chair_a, poll=poll, delegate=delegate)
    services.ballot_cast(user=setup.users[3], poll=poll, marks={opts[0]: "approve"})
    poll = services.poll_close(actor=chair_a, poll=poll)
    assert poll.result is None  # waits for the tellers
    papers = [{opts[0]: "approve"}, {opts[1]: "approve"}, {opts[0]: "approve", opts[1]: "approve"}]
    for teller in tellers:
        for serial, marks in enumerate(papers, start=1):
            services.paper_entry_record(actor=teller, poll=poll, serial=serial, marks=marks)
    services.paper_entry_record(actor=district_cadre_a, poll=poll, serial=2, marks={opts[1]: "oppose"})
    with pytest.raises(ServiceError) as err:
        services.poll_count(actor=chair_a, poll=poll)
    assert err.value.code == "tellers_disagree" and err.value.details == {"serials": [2]}
    assert Ballot.objects.filter(poll=poll, channel="paper").count() == 0
    services.paper_entry_record(actor=district_cadre_a, poll=poll, serial=2, marks={opts[1]: "approve"})
    poll = services.poll_count(actor=chair_a, poll=poll)
    assert poll.result["issued"] == 4 and poll.result["returned"] == 4
    assert poll.result["invalid"] == 1  # the third paper approved two people for one seat
    assert poll.result["counts"][0]["approve"] == 2 and not poll.result["counts"][0]["passed"]


def test_only_the_tellers_enter_paper_ballots(tree, chair_a, district_cadre_a, province_cadre):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    poll, opts = _paper_poll(setup, chair_a, (chair_a, district_cadre_a))
    services.paper_issue(actor=chair_a, poll=poll, delegate=setup.delegates[0])
    poll = services.poll_close(actor=chair_a, poll=poll)
    with pytest.raises(PermissionDenied):
        services.paper_entry_record(actor=province_cadre, poll=poll, serial=1, marks={opts[0]: "approve"})


def test_more_paper_ballots_back_than_issued_voids_the_round_and_it_can_be_held_again(
    tree, chair_a, district_cadre_a
):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=4)
    tellers = (chair_a, district_cadre_a)
    poll, opts = _paper_poll(setup, chair_a, tellers)
    for delegate in setup.delegates[:3]:
        services.paper_issue(actor=chair_a, poll=poll, delegate=delegate)
    poll = services.poll_close(actor=chair_a, poll=poll)
    for teller in tellers:
        for serial in range(1, 5):
            services.paper_entry_record(actor=teller, poll=poll, serial=serial, marks={opts[0]: "approve"})
    poll = services.poll_count(actor=chair_a, poll=poll)
    assert poll.status == PollStatus.VOID and "4" in poll.void_reason and "3" in poll.void_reason
    again = services.poll_next_round(actor=chair_a, poll=poll)
    assert again.round == 2 and again.previous == poll and again.seats == 1
    assert list(again.options.values_list("label", flat=True)) == ["王芳", "李强"]


def test_a_tie_for_the_last_seat_leads_to_a_further_round_of_the_tied(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=5)
    poll, opts = _election(setup, chair_a, seats=2, options=("王芳", "李强", "张敏"))
    services.poll_open(actor=chair_a, poll=poll)
    a, b, c = opts
    ballots = [{a: "approve", b: "approve"}] * 3 + [{a: "approve", c: "approve"}] * 2
    for user, marks in zip(setup.users, ballots, strict=True):
        services.ballot_cast(user=user, poll=poll, marks=marks)
    poll = services.poll_close(actor=chair_a, poll=poll)
    assert poll.result["elected"] == [f"o{a}", f"o{b}"]
    services.poll_publish(actor=chair_a, poll=poll)
    with pytest.raises(ServiceError):
        services.poll_next_round(actor=chair_a, poll=poll)  # nothing left to elect


def test_unfilled_seats_go_to_a_further_round_with_new_nominations(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=5)
    poll, opts = _election(setup, chair_a, seats=2, options=("王芳", "李强", "张敏"))
    services.poll_open(actor=chair_a, poll=poll)
    for user in setup.users:
        services.ballot_cast(user=user, poll=poll, marks={opts[0]: "approve"})
    poll = services.poll_close(actor=chair_a, poll=poll)
    services.poll_publish(actor=chair_a, poll=poll)
    poll.refresh_from_db()
    assert poll.result["unfilled"] == 1
    nxt = services.poll_next_round(actor=chair_a, poll=poll, candidates=["李强", "张敏"])
    assert nxt.seats == 1 and nxt.contested and nxt.round == 2


def test_a_contested_election_needs_more_candidates_than_seats(tree, chair_a):
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3)
    with pytest.raises(ServiceError) as err:
        _election(setup, chair_a, seats=2, options=("王芳", "李强"))
    assert err.value.code == "too_few_candidates"
    assert not Poll.objects.exists()


# --- the secret ballot cannot be re-linked -----------------------------------------------------------------


def test_no_column_or_index_of_a_ballot_can_link_it_to_a_delegate():
    fields = {f.name: f for f in Ballot._meta.get_fields() if getattr(f, "concrete", False)}
    assert set(fields) == {"id", "poll", "marks", "write_ins", "receipt_hash", "channel"}
    # No person, no time, no sequence: the key is random, not an auto-increment.
    related = {name for name, f in fields.items() if f.is_relation}
    assert related == {"poll"}
    assert not any(
        f.get_internal_type() in ("DateTimeField", "DateField", "AutoField", "BigAutoField")
        for f in fields.values()
    )
    assert not Ballot._meta.ordering
    index_fields = {tuple(c.fields) for c in Ballot._meta.constraints} | {
        tuple(i.fields) for i in Ballot._meta.indexes
    }
    assert index_fields == {("poll", "receipt_hash")}
    # And nothing refers to a ballot.
    assert not [f for f in Ballot._meta.get_fields() if f.auto_created and not f.concrete]
    participation = {f.name for f in Participation._meta.get_fields() if getattr(f, "concrete", False)}
    assert participation == {"id", "poll", "delegate", "channel", "open_marks"}


def _rank_correlation(xs: list[int]) -> float:
    n = len(xs)
    d2 = sum((rank - x) ** 2 for rank, x in enumerate(xs))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_after_the_close_neither_key_order_nor_row_order_follows_the_order_of_voting(tree, chair_a):
    n = 40
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=n)
    poll, opts = _resolution(setup, chair_a, items=[f"事项{i}" for i in range(6)])
    services.poll_open(actor=chair_a, poll=poll)
    # Each voter's ballot is recognisable by its marks: voter i marks the items with the digits of i in base 3.
    choices = ("approve", "oppose", "abstain")
    signature = {}
    for i, user in enumerate(setup.users):
        marks = {opts[k]: choices[(i // 3**k) % 3] for k in range(4)}
        signature[tuple(sorted((str(k), v) for k, v in marks.items()))] = i
        services.ballot_cast(user=user, poll=poll, marks=marks)
    services.poll_close(actor=chair_a, poll=poll)

    def order(sql: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [poll.pk])
            rows = cursor.fetchall()
        import json

        out = []
        for (marks,) in rows:
            marks = json.loads(marks) if isinstance(marks, str) else marks
            out.append(signature[tuple(sorted(marks.items()))])
        return out

    by_key = order("SELECT marks FROM congress_ballot WHERE poll_id = %s ORDER BY id")
    by_row = order("SELECT marks FROM congress_ballot WHERE poll_id = %s")  # storage order
    assert sorted(by_key) == list(range(n))
    # A random permutation of 40 has |rho| > 0.5 with probability well under 0.1 %.
    assert abs(_rank_correlation(by_key)) < 0.5
    assert abs(_rank_correlation(by_row)) < 0.5
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT xmin::text FROM congress_ballot WHERE poll_id = %s", [poll.pk])
            ballot_txns = {r[0] for r in cursor.fetchall()}
            cursor.execute(
                "SELECT DISTINCT xmin::text FROM congress_participation WHERE poll_id = %s", [poll.pk]
            )
            vote_txns = {r[0] for r in cursor.fetchall()}
        assert len(ballot_txns) == 1 and not ballot_txns & vote_txns


@pytest.mark.django_db(transaction=True)
def test_a_delegate_voting_twice_at_the_same_moment_is_counted_once(tree, chair_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database; SQLite serialises them anyway")
    setup = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3)
    poll, opts = _resolution(setup, chair_a)
    services.poll_open(actor=chair_a, poll=poll)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def vote() -> None:
        barrier.wait()
        try:
            services.ballot_cast(user=setup.users[0], poll=poll, marks={opts[0]: "approve"})
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already_voted"] * 3 + ["ok"]
    assert Ballot.objects.filter(poll=poll).count() == Participation.objects.filter(poll=poll).count() == 1


def test_a_delegate_sees_only_the_polls_of_their_own_congress(tree, chair_a, chair_b):
    setup_a = make_congress(org=tree.grassroots_a, chair=chair_a, delegates=3)
    setup_b = make_congress(org=tree.grassroots_b, chair=chair_b, delegates=3, mobile_prefix="1371111")
    poll_b, _ = _resolution(setup_b, chair_b)
    services.poll_open(actor=chair_b, poll=poll_b)
    with pytest.raises(NotFound):
        selectors.own_poll_get(user=setup_a.users[0], poll_id=poll_b.pk)
    assert selectors.own_poll_get(user=setup_b.users[0], poll_id=poll_b.pk)[0] == poll_b
    assert Delegate.objects.count() == 6
