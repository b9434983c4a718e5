from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gonghui.accounts.models import User
from gonghui.core import scheduler
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import clean_uscc
from gonghui.core.models import ScheduledJob
from gonghui.core.seed.demo import ACCOUNTS, seed_demo
from gonghui.core.seed.scale import plan_province, seed_scale
from gonghui.orgs.models import Org, OrgKind, OrgRequest, RoleAssignment
from gonghui.orgs.rollups import find_drift

pytestmark = pytest.mark.django_db


def test_the_demo_seed_is_idempotent_and_consistent():
    first = seed_demo()
    counts = (
        Org.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        OrgRequest.objects.count(),
    )
    second = seed_demo()
    # A second run creates nothing in any module.
    assert first["orgs_created"] > 40
    assert {key: n for key, n in second.items() if n} == {}
    assert counts == (
        Org.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        OrgRequest.objects.count(),
    )
    assert find_drift() == []


def test_the_demo_has_requests_in_every_state_legal_aid_mediation_and_warnings():
    from gonghui.rights.models import Case, EmployerRisk, LegalAid, Mediation

    result = seed_demo()
    assert result["requests_created"] >= 15 and result["employers_warned"] >= 2
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == {"received", "acknowledged", "handling", "closed"}
    assert Case.objects.filter(anonymous=True).exists() and Case.objects.filter(channel="hotline").exists()
    assert Case.objects.exclude(escalated="").exists() and Case.objects.filter(rating__isnull=False).exists()
    assert (
        Case.objects.filter(reopened_count__gt=0).exists() and Case.objects.filter(collective=True).exists()
    )
    assert LegalAid.objects.filter(stage="arbitration", lawyer__isnull=False).exists()
    assert set(Mediation.objects.values_list("status", flat=True)) == {"open", "agreed"}
    assert not EmployerRisk.objects.filter(employer_name__endswith="工会委员会").exists()


def test_the_demo_has_about_300_members_pending_applications_and_a_transfer_and_no_counter_drift():
    from gonghui.members import counters
    from gonghui.members.models import Application, Member, Transfer
    from gonghui.members.rules import member_number_valid

    result = seed_demo()
    assert 280 <= result["members_created"] <= 320
    assert Application.objects.filter(status="pending").count() >= 6
    assert Transfer.objects.filter(status="pending").count() == 1
    assert Member.objects.filter(status="retained").exists() and result["lapse_proposals"] >= 1
    assert all(member_number_valid(n) for n in Member.objects.values_list("number", flat=True))
    assert counters.find_drift() == [] and find_drift() == []


def test_the_demo_has_every_kind_of_union_and_valid_credit_codes():
    seed_demo()
    kinds = set(Org.objects.values_list("kind", flat=True))
    assert kinds == set(OrgKind.values)
    grassroots = Org.objects.filter(kind=OrgKind.GRASSROOTS)
    assert grassroots.count() >= 30
    for org in grassroots:
        assert clean_uscc(org.uscc) == org.uscc
    assert grassroots.filter(is_platform=True).exists()
    assert Org.objects.filter(kind=OrgKind.JOINT, name__contains="新就业形态").exists()
    assert Org.objects.filter(kind=OrgKind.GRASSROOTS, industry_union__isnull=False).exists()


def test_every_demo_account_can_log_in_with_the_demo_password(settings):
    seed_demo()
    for account in ACCOUNTS:
        assert User.objects.get(blind_q(User, "mobile", account.mobile)).check_password(
            settings.GONGHUI_DEMO_PASSWORD
        )


def test_the_scale_seed_is_deterministic_and_province_shaped():
    result = seed_scale(60_000, seed=7)
    national = Org.objects.get(kind=OrgKind.NATIONAL)
    province = Org.objects.get(kind=OrgKind.PROVINCE)
    assert province.rollup.grassroots == result["grassroots"] == 60_000 // 107
    assert abs(province.rollup.staff - 60_000) < 60_000 * 0.05
    assert national.rollup.orgs == Org.objects.count()
    assert find_drift() == []
    stored = list(
        Org.objects.filter(kind=OrgKind.GRASSROOTS).order_by("id").values_list("name", "path", "staff_count")
    )
    again = plan_province(
        60_000, seed=7, prefix=province.division_code[:2], start_id=result["first_id"], national=national
    )
    assert [(r.name, r.path, r.staff) for r in again if r.kind == OrgKind.GRASSROOTS] == stored
    other = plan_province(60_000, seed=8, prefix="72", start_id=result["first_id"], national=national)

    def sizes(rows):
        return [r.staff for r in rows if r.kind == OrgKind.GRASSROOTS]

    assert sizes(other) != sizes(again)


def test_the_scale_seed_writes_n_valid_members_in_bulk_with_counters_that_reconcile():
    from django.core.management import call_command

    from gonghui.members import counters
    from gonghui.members.models import Member
    from gonghui.members.rules import member_number_valid

    call_command("seed", scale=3_000, seed=3, verbosity=0)
    province = Org.objects.get(kind=OrgKind.PROVINCE)
    assert Member.objects.count() == 3_000 == province.rollup.members
    assert Member.objects.values("id_number_index").distinct().count() == 3_000
    assert all(member_number_valid(n) for n in Member.objects.values_list("number", flat=True)[:200])
    assert counters.find_drift() == [] and find_drift() == []


def test_the_scheduler_enqueues_each_due_job_once_and_catches_up_after_downtime():
    enqueued = []
    now = timezone.now()
    assert set(scheduler.tick(now, enqueue=enqueued.append)) == {j.name for j in scheduler.JOBS}
    assert scheduler.tick(now + timedelta(minutes=1), enqueue=enqueued.append) == []
    # The scheduler was down for three days: each job runs once when it comes back, not once per missed slot.
    later = now + timedelta(days=3)
    assert set(scheduler.tick(later, enqueue=enqueued.append)) == {j.name for j in scheduler.JOBS}
    assert len(enqueued) == 2 * len(scheduler.JOBS)
    assert ScheduledJob.objects.get(name="orgs.reconcile_rollups").last_enqueued_at == later


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_runs_a_scheduled_reconcile_that_repairs_drift(tree):
    # Transactional: the worker closes its database connection when it is done, as it does in production.
    from gonghui.orgs.models import OrgRollup

    OrgRollup.objects.filter(org=tree.city).update(orgs=42)
    scheduler.tick()
    assert DBTaskResult.objects.filter(status="READY").count() == len(scheduler.JOBS)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == len(scheduler.JOBS)
    assert OrgRollup.objects.get(org=tree.city).orgs == 6


def test_a_task_left_running_by_a_dead_worker_is_requeued(tree):
    from gonghui.core.tasks import requeue_stale_tasks

    result = requeue_stale_tasks.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=1)
    )
    assert requeue_stale_tasks.call() == 1
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
