"""Enterprise disclosure (厂务公开): a grassroots union keeps a plan, publishes items to its active members, who
acknowledge once and ask questions the union answers; overdue plan entries are flagged to the union once per
due date; every page and endpoint keeps to the caller's scope."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.models import AuditRecord, Notice
from gonghui.disclosure import rules, selectors, services
from gonghui.disclosure.models import Acknowledgement, Attachment, Item, ItemStatus, Question, ScheduleEntry
from gonghui.members.services import member_create, person_clean
from tests.conftest import CastClient, fake_id

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
API = "/api/v1/disclosure"


def logged_in(user):
    client = CastClient()
    client.force_login(user)
    return client


def call(client, method, path, data=None):
    body = json.dumps(data if data is not None else {})
    return client.generic(method, API + path, body, content_type="application/json")


def join(actor, org, user=None, n=1, **kw):
    """An active member of `org`, linked to the portal account `user`."""
    person = person_clean(
        name=kw.pop("name", "张伟"),
        id_number=fake_id(n),
        mobile=getattr(user, "mobile", "") or f"1370000{n:04d}",
        work_division_code="330106",
    )
    return member_create(actor=actor, org=org, person=person, user=user)


def pdf(name="wages.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def members_a(tree, chair_a, member_a):
    """Zhang (member_a) and two other active members of grassroots union A; one who left does not count."""
    zhang = join(chair_a, tree.grassroots_a, member_a, n=1)
    join(chair_a, tree.grassroots_a, n=2, name="王芳")
    join(chair_a, tree.grassroots_a, n=3, name="李强")
    return zhang


@pytest.fixture
def member_in_b(tree, chair_b, member_b):
    return join(chair_b, tree.grassroots_b, member_b, n=10, name="刘芳")


@pytest.fixture
def entry(tree, chair_a):
    """A quarterly wages entry of union A, due on 31 March."""
    return services.schedule_add(
        actor=chair_a,
        org=tree.grassroots_a,
        category="wages",
        title="季度工资奖金发放情况",
        frequency="quarterly",
        next_due=datetime.date(2026, 3, 31),
    )


@pytest.fixture
def published(tree, chair_a, members_a, entry):
    item = services.item_create(
        actor=chair_a,
        org=tree.grassroots_a,
        category="wages",
        title="2026年第一季度工资奖金发放情况",
        body="一季度人均工资 8,650 元，奖金按考核结果发放。",
        channel="online",
        schedule=entry,
        files=[pdf()],
    )
    return services.item_publish(actor=chair_a, item=item)


# --- rules ------------------------------------------------------------------------------------------------


def test_next_due_moves_by_one_period_and_keeps_the_day_of_the_month():
    d = datetime.date
    assert rules.next_due(d(2026, 1, 31), "monthly") == d(2026, 2, 28)
    # The plan's day (31) comes back in a month that has it: no drift to the 28th.
    assert rules.next_due(d(2026, 2, 28), "monthly", anchor_day=31) == d(2026, 3, 31)
    assert rules.next_due(d(2026, 11, 30), "quarterly") == d(2027, 2, 28)
    assert rules.next_due(d(2026, 6, 30), "half_yearly") == d(2026, 12, 30)
    assert rules.next_due(d(2024, 2, 29), "yearly") == d(2025, 2, 28)
    assert rules.next_due(d(2026, 5, 1), "once") is None
    with pytest.raises(ValueError):
        rules.next_due(d(2026, 5, 1), "weekly")


def test_an_entry_is_overdue_only_after_its_due_day_and_flagged_once_per_due_date():
    d = datetime.date(2026, 3, 31)
    assert not rules.is_overdue(due=d, today=d)
    assert rules.is_overdue(due=d, today=d + datetime.timedelta(days=1))
    assert not rules.is_overdue(due=d, today=d + datetime.timedelta(days=9), active=False)
    assert rules.should_flag(due=d, today=datetime.date(2026, 4, 1), flagged_for=None)
    assert not rules.should_flag(due=d, today=datetime.date(2026, 4, 9), flagged_for=d)
    assert rules.should_flag(due=datetime.date(2026, 6, 30), today=datetime.date(2026, 7, 1), flagged_for=d)


def test_the_acknowledgement_rate_is_a_whole_percentage_never_above_100():
    assert rules.ack_rate(1, 3) == 33
    assert rules.ack_rate(5, 4) == 100
    assert rules.ack_rate(0, 0) is None


# --- the plan and publishing ------------------------------------------------------------------------------


def test_only_a_grassroots_union_keeps_a_disclosure_plan(tree, district_cadre_a):
    with pytest.raises(ServiceError) as exc:
        services.schedule_add(
            actor=district_cadre_a,
            org=tree.district_a,
            category="wages",
            title="工资",
            frequency="monthly",
            next_due=TODAY,
        )
    assert exc.value.code == "not_grassroots"
    assert not ScheduleEntry.objects.exists()


def test_a_bad_plan_entry_is_refused_with_the_field_named_and_nothing_saved(tree, chair_a):
    for kw, code in [
        ({"frequency": "weekly"}, "invalid_frequency"),
        ({"category": "gossip"}, "invalid_category"),
        ({"title": "  "}, "text_required"),
        ({"next_due": datetime.date(2036, 1, 1)}, "due_too_far"),
    ]:
        values = {"category": "wages", "title": "工资", "frequency": "monthly", "next_due": TODAY, **kw}
        with pytest.raises(ServiceError) as exc:
            services.schedule_add(actor=chair_a, org=tree.grassroots_a, **values)
        assert exc.value.code == code
    assert not ScheduleEntry.objects.exists()


def test_publishing_reaches_the_active_members_and_settles_the_plan_period(
    tree, chair_a, member_a, published, entry
):
    entry.refresh_from_db()
    assert published.status == ItemStatus.PUBLISHED
    assert published.audience == 3
    assert published.settles_due == datetime.date(2026, 3, 31)
    assert entry.next_due == datetime.date(2026, 6, 30) and entry.active
    assert entry.last_published_on == TODAY
    assert Notice.objects.filter(
        user=member_a, url=reverse("portal:disclosure_item", args=[published.pk])
    ).exists()
    assert AuditRecord.objects.filter(action="gonghui.disclosure.item_published").count() == 1
    assert Attachment.objects.filter(item=published).count() == 1


def test_a_one_off_entry_is_done_once_disclosed(tree, chair_a):
    once = services.schedule_add(
        actor=chair_a,
        org=tree.grassroots_a,
        category="major_decisions",
        title="改制方案",
        frequency="once",
        next_due=TODAY,
    )
    item = services.item_create(
        actor=chair_a,
        org=tree.grassroots_a,
        category="major_decisions",
        title="改制方案",
        body="……",
        schedule=once,
    )
    services.item_publish(actor=chair_a, item=item)
    once.refresh_from_db()
    assert once.active is False and once.next_due is None


def test_a_published_item_cannot_be_changed_or_published_again(tree, chair_a, published):
    with pytest.raises(ServiceError) as exc:
        services.item_publish(actor=chair_a, item=published)
    assert exc.value.code == "not_draft"
    with pytest.raises(ServiceError):
        services.item_update(
            actor=chair_a, item=published, category="wages", title="改", body="改", channel="online"
        )
    published.refresh_from_db()
    assert published.title == "2026年第一季度工资奖金发放情况"


def test_a_file_that_is_not_what_it_claims_is_refused_and_no_item_is_left(tree, chair_a):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an executable")
    with pytest.raises(ServiceError) as exc:
        services.item_create(
            actor=chair_a, org=tree.grassroots_a, category="wages", title="工资", body="……", files=[fake]
        )
    assert exc.value.code == "upload_type"
    assert not Item.objects.exists() and not Attachment.objects.exists()


def test_a_viewer_may_read_but_not_publish(tree, viewer_a, chair_a):
    item = services.item_create(
        actor=chair_a, org=tree.grassroots_a, category="wages", title="工资", body="……"
    )
    assert selectors.item_get(actor=viewer_a, item_id=item.pk) == item
    with pytest.raises(PermissionDenied):
        services.item_publish(actor=viewer_a, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_another_district_does_not_see_the_item(tree, district_cadre_b, published):
    with pytest.raises(NotFound):
        selectors.item_get(actor=district_cadre_b, item_id=published.pk)


# --- members ----------------------------------------------------------------------------------------------


def test_a_member_acknowledges_once(tree, member_a, published):
    services.item_acknowledge(user=member_a, item_id=published.pk)
    with pytest.raises(ServiceError) as exc:
        services.item_acknowledge(user=member_a, item_id=published.pk)
    assert exc.value.code == "already_acknowledged" and exc.value.status == 409
    assert Acknowledgement.objects.filter(item=published).count() == 1
    assert AuditRecord.objects.filter(action="gonghui.disclosure.acknowledged").count() == 1
    item = selectors.item_get(actor=published.published_by, item_id=published.pk)
    assert item.acks == 1 and rules.ack_rate(item.acks, item.audience) == 33


def test_a_member_of_another_union_or_no_member_cannot_see_or_acknowledge(
    tree, member_b, member_in_b, published
):
    with pytest.raises(NotFound):
        services.item_acknowledge(user=member_b, item_id=published.pk)
    assert list(selectors.own_items(user=member_b)) == []
    assert not Acknowledgement.objects.exists()


def test_a_draft_or_withdrawn_item_is_not_shown_to_members(tree, chair_a, member_a, members_a, published):
    draft = services.item_create(
        actor=chair_a, org=tree.grassroots_a, category="safety", title="安全", body="……"
    )
    assert [i.pk for i in selectors.own_items(user=member_a)] == [published.pk]
    with pytest.raises(NotFound):
        selectors.own_item_get(user=member_a, item_id=draft.pk)
    services.item_withdraw(actor=chair_a, item=published, reason="数据有误，更正后重新公开")
    assert list(selectors.own_items(user=member_a)) == []


def test_a_question_is_answered_to_the_asker_and_optionally_published_without_the_name(
    tree, chair_a, member_a, published, django_user_model
):
    question = services.question_ask(user=member_a, item_id=published.pk, text="奖金考核标准在哪里可以看到？")
    assert Notice.objects.filter(user=chair_a).filter(text__contains=published.title).exists()
    assert list(selectors.public_questions(item=published)) == []
    services.question_answer(
        actor=chair_a, question=question, answer="考核办法已在公告栏张贴，也可向人事部索取。", public=True
    )
    question.refresh_from_db()
    assert question.answered_at is not None and question.answered_by == chair_a
    assert (
        Notice.objects.filter(user=member_a, text__contains=published.title).count() == 2
    )  # published, answered
    assert list(selectors.public_questions(item=published)) == [question]


def test_an_empty_question_or_answer_is_refused(tree, chair_a, member_a, published):
    with pytest.raises(ServiceError):
        services.question_ask(user=member_a, item_id=published.pk, text="   ")
    assert not Question.objects.exists()
    q = services.question_ask(user=member_a, item_id=published.pk, text="问题")
    with pytest.raises(ServiceError) as exc:
        services.question_answer(actor=chair_a, question=q, answer="")
    assert exc.value.code == "answer_required"
    q.refresh_from_db()
    assert q.answered_at is None


# --- the overdue sweep ------------------------------------------------------------------------------------


def test_an_overdue_entry_is_flagged_to_the_union_once_per_due_date(tree, chair_a, entry, frozen):
    frozen.move_to(datetime.datetime(2026, 3, 31, 9, tzinfo=SHANGHAI))
    assert services.disclosure_overdue_sweep() == {"flagged": 0}  # due today: still on time
    frozen.move_to(datetime.datetime(2026, 4, 1, 9, tzinfo=SHANGHAI))
    assert services.disclosure_overdue_sweep() == {"flagged": 1}
    assert services.disclosure_overdue_sweep() == {"flagged": 0}
    frozen.move_to(datetime.datetime(2026, 4, 2, 9, tzinfo=SHANGHAI))
    assert services.disclosure_overdue_sweep() == {"flagged": 0}
    assert Notice.objects.filter(user=chair_a, text__contains=entry.title).count() == 1
    assert AuditRecord.objects.filter(action="gonghui.disclosure.overdue_flagged").count() == 1
    entry.refresh_from_db()
    assert entry.flagged_for == datetime.date(2026, 3, 31)
    assert list(selectors.overdue_entries(actor=chair_a, org=tree.grassroots_a)) == [entry]


def test_disclosing_late_settles_the_period_and_the_next_due_date_is_flagged_anew(
    tree, chair_a, entry, frozen
):
    frozen.move_to(datetime.datetime(2026, 4, 3, 9, tzinfo=SHANGHAI))
    services.disclosure_overdue_sweep()
    item = services.item_create(
        actor=chair_a, org=tree.grassroots_a, category="wages", title="一季度工资", body="……", schedule=entry
    )
    services.item_publish(actor=chair_a, item=item)
    assert list(selectors.overdue_entries(actor=chair_a, org=tree.grassroots_a)) == []
    frozen.move_to(datetime.datetime(2026, 7, 1, 9, tzinfo=SHANGHAI))
    assert services.disclosure_overdue_sweep() == {"flagged": 1}
    entry.refresh_from_db()
    assert entry.flagged_for == datetime.date(2026, 6, 30)


def test_a_paused_entry_is_never_flagged(tree, chair_a, entry, frozen):
    services.schedule_update(
        actor=chair_a, entry=entry, title=entry.title, frequency="quarterly", next_due=None, active=False
    )
    frozen.move_to(datetime.datetime(2026, 5, 1, 9, tzinfo=SHANGHAI))
    assert services.disclosure_overdue_sweep() == {"flagged": 0}


def test_the_task_runs_the_sweep(tree, entry, frozen):
    from gonghui.disclosure.tasks import flag_overdue

    frozen.move_to(datetime.datetime(2026, 4, 1, 9, tzinfo=SHANGHAI))
    assert flag_overdue.call() == {"flagged": 1}
