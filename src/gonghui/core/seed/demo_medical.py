"""Demo mutual medical aid: the Zhejiang plan for the current year (two plan types, free accident cover for
new-employment members), the demo unit 330106-G01 enrolled by its chair, riders covered, and claims in every
state, one of them 张伟's (paid).

Everything goes through the medical services, so events, notices and the audit log are what the real workflow
writes. Idempotent: each step is skipped when its rows exist.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.medical import services as svc
from gonghui.medical.models import AccidentCover, Claim, Enrolment, Plan
from gonghui.members.models import LIVE_STATUSES, Member
from gonghui.members.rules import NEW_EMPLOYMENT_FORMS
from gonghui.orgs.models import Org

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _user(mobile: str) -> User:
    return User.objects.get(blind_q(User, "mobile", mobile))


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def seed_medical(*, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = today.year
    province = Org.objects.get(code="330000")
    g01 = Org.objects.get(code="330106-G01")
    cadre, chair = _user("13800000002"), _user("13800000006")
    counts = {"plans": 0, "enrolments": 0, "accident_covers": 0, "claims": 0}

    if not Plan.objects.filter(org=province, year=year).exists():
        common: dict[str, Any] = {
            "year": year,
            "enrol_opens": datetime.date(year - 1, 12, 1),
            "enrol_closes": datetime.date(year, 12, 31),
            "cover_starts": datetime.date(year, 1, 1),
            "cover_ends": datetime.date(year, 12, 31),
            "waiting_days": 90,
            "claim_deadline_days": 180,
            "accident_cover_for_new_employment": True,
        }
        svc.plan_set(
            actor=cadre,
            org=province,
            data=svc.PlanInput(
                code="basic", name="职工住院医疗互助（基础型）", contribution=Decimal(30), **common
            ),
        )
        svc.plan_set(
            actor=cadre,
            org=province,
            data=svc.PlanInput(
                code="plus",
                name="职工住院医疗互助（增强型）",
                contribution=Decimal(60),
                hospital_deductible=Decimal(800),
                hospital_tiers=[["10000", "0.6"], ["30000", "0.7"], [None, "0.8"]],
                per_stay_cap=Decimal(30000),
                annual_cap=Decimal(80000),
                **common,
            ),
        )
        counts["plans"] = 2

    if not Enrolment.objects.filter(org=g01, year=year).exists():
        # The chair enrolled the unit in December, before the cover period began: covered from 1 January.
        result = svc.enrol_members(
            actor=chair,
            org=g01,
            year=year,
            plan_code="basic",
            payment_ref=f"DW-{year}-0001",
            today=datetime.date(year - 1, 12, 15),
        )
        counts["enrolments"] = result.created

    counts["accident_covers"] = svc.accident_cover_sweep(year=year, today=today)

    if not Claim.objects.filter(org=g01, year=year).exists():
        counts["claims"] = _claims(g01, chair, year, today)
    return counts


def _claims(g01: Org, chair: User, year: int, today: datetime.date) -> int:
    # Early in January there is no history to show yet: the claims are dated as if on 15 February.
    base = max(today, datetime.date(year, 2, 15))

    def day(n: int) -> datetime.date:
        return base - datetime.timedelta(days=n)

    zhang_user = _user("13900000001")
    zhang = Member.objects.get(user=zhang_user, org=g01)
    others = list(
        Member.objects.filter(org=g01, status__in=LIVE_STATUSES, medical_enrolments__year=year)
        .exclude(pk=zhang.pk)
        .order_by("number")[:4]
    )
    made = 0

    def stay(member: Member, admitted: int, days: int, out: str, total: str, by: Any) -> Claim:
        data = svc.ClaimInput(
            kind="hospital",
            event_on=day(admitted),
            discharged_on=day(admitted - days),
            hospital="浙江大学医学院附属第一医院",
            total_amount=Decimal(total),
            insurance_amount=Decimal(total) - Decimal(out),
            out_of_pocket=Decimal(out),
        )
        docs = [("invoice", _pdf("住院发票.pdf")), ("discharge", _pdf("出院小结.pdf"))]
        return svc.claim_submit(actor=by, member=member, data=data, documents=docs, today=base)

    # 张伟: a hospital stay, approved at the schedule's payout and paid.
    claim = stay(zhang, 40, 9, "8600", "26000", zhang_user)
    svc.claim_approve(actor=chair, claim=claim)
    svc.claim_pay(actor=chair, claim=claim, payment_ref=f"ZF-{year}-0001", paid_on=base)
    made += 1
    if len(others) >= 4:
        stay(others[0], 12, 6, "5200", "18000", chair)  # waiting for review
        asked = stay(others[1], 30, 5, "3000", "9000", chair)
        svc.claim_ask_documents(actor=chair, claim=asked, reason="请补充住院费用明细清单。")
        illness = svc.claim_submit(
            actor=chair,
            member=others[2],
            data=svc.ClaimInput(
                kind="illness", event_on=day(20), hospital="浙江省肿瘤医院", item_code="cancer"
            ),
            documents=[("diagnosis", _pdf("诊断证明.pdf"))],
            today=base,
        )
        svc.claim_approve(actor=chair, claim=illness)
        rejected = stay(others[3], 25, 3, "1500", "4000", chair)
        svc.claim_reject(actor=chair, claim=rejected, reason="住院费用已由商业保险全额报销。")
        made += 4
    # A rider under the free accident cover.
    rider = (
        Member.objects.filter(
            status__in=LIVE_STATUSES,
            employment_form__in=list(NEW_EMPLOYMENT_FORMS),
            accident_covers__year=year,
            org__code__startswith="330106",
        )
        .order_by("number")
        .first()
    )
    if rider is not None:
        district = _user("13800000004")  # 李区干 administers every union of Xihu
        cover = AccidentCover.objects.get(member=rider, year=year)
        if cover.cover_from <= day(10):
            accident = svc.claim_submit(
                actor=district,
                member=rider,
                data=svc.ClaimInput(
                    kind="accident", event_on=day(10), hospital="杭州市第一人民医院", item_code="injury_stay"
                ),
                documents=[("diagnosis", _pdf("门诊病历.pdf"))],
                today=base,
            )
            svc.claim_approve(actor=district, claim=accident)
            made += 1
    return made
