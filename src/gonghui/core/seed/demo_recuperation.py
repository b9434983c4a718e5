"""Demo recuperation (疗休养), run by the Zhejiang federation (钱省干, 13800000002) with places passed down to
Hangzhou (孙市干) and on to 西湖区 (李区干, 13800000004):

- the province's rules: at most 500 yuan per person per day, at most 5 days, one year of membership, not again
  within three years;
- two sites: the 莫干山 base and the 千岛湖 sanatorium;
- 一线职工疗休养 at 千岛湖, closed and allocated by 西湖区: 8 places, 12 applicants from the district's unions
  (model workers and front-line workers first), four on the waiting list; it starts in three weeks;
- 一线职工疗休养 at 莫干山, open for applications now, with 6 places in 西湖区 and three colleagues already in:
  the browser journey has 张伟 apply here;
- 劳模疗休养 at 莫干山, only for model workers, open, with a quota held by Hangzhou.

Everything goes through the recuperation services, so notices and the audit log are what the real workflow
writes. The window of the allocated batch is set back after the applications (the services refuse to publish a
batch whose window has passed, and allocate only after it closes). Idempotent: skipped once the province has a
site.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org

PROVINCE, CITY, DISTRICT = "330000", "330100", "330106"
APPLICANT_MOBILE = "1370002{:04d}"
# Unions in 西湖区 whose members apply (张伟's 330106-G01 is left to the benefits demo and the journey).
UNIONS = ("330106-G02", "330106-G04", "330106-G05", "330106-G07", "330106-G09")


def _user(mobile: str) -> User | None:
    return User.objects.filter(blind_q(User, "mobile", mobile)).first()


def _applicants(n: int, today: datetime.date) -> list[tuple[Member, User]]:
    """Members of at least a year in the district's unions, each given a portal account (they log in by SMS)."""
    members = (
        Member.objects.filter(
            org__code__in=UNIONS,
            status=MemberStatus.ACTIVE,
            user__isnull=True,
            joined_on__lte=today - datetime.timedelta(days=400),
        )
        .select_related("org")
        .order_by("org__code", "pk")[:n]
    )
    out = []
    for i, member in enumerate(members):
        mobile = APPLICANT_MOBILE.format(i)
        user = _user(mobile) or User.objects.create_user(mobile, None, real_name=member.name)
        Member.objects.filter(pk=member.pk).update(user=user)
        member.user = user
        out.append((member, user))
    return out


def seed_recuperation(*, now: datetime.datetime | None = None) -> dict[str, int]:
    from gonghui.recuperation import services
    from gonghui.recuperation.models import Batch, Site

    orgs = {o.code: o for o in Org.objects.filter(code__in=[PROVINCE, CITY, DISTRICT])}
    province_cadre = _user("13800000002")
    district_cadre = _user("13800000004")
    if len(orgs) < 3 or province_cadre is None or district_cadre is None:
        return {"recuperation_batches": 0}
    province, city, district = orgs[PROVINCE], orgs[CITY], orgs[DISTRICT]
    if Site.objects.filter(org=province).exists():
        return {"recuperation_batches": 0}
    now = now or timezone.now()
    today = timezone.localdate(now)
    day = datetime.timedelta(days=1)

    services.recuperation_policy_set(
        actor=province_cadre,
        org=province,
        daily_limit=Decimal("500"),
        max_days=5,
        min_membership_years=1,
        interval_years=3,
        cancel_days_before=7,
    )
    moganshan = services.site_create(
        actor=province_cadre,
        org=province,
        name="浙江省总工会莫干山职工疗休养基地",
        kind="base",
        address="湖州市德清县莫干山镇劳岭村",
        capacity=160,
        contact="0572-8033000",
        description="山地步道、竹林茶园与职工书屋，提供体检、心理疏导和健康讲座。",
    )
    qiandaohu = services.site_create(
        actor=province_cadre,
        org=province,
        name="浙江省总工会千岛湖职工疗养院",
        kind="sanatorium",
        address="杭州市淳安县千岛湖镇环湖北路",
        capacity=220,
        contact="0571-6488000",
        description="湖区疗养院，安排健康体检、康复理疗和红色教育参观。",
    )

    def batch(
        site: Site,
        *,
        title: str,
        theme: str,
        start_in: int,
        days: int,
        capacity: int,
        cost: str,
        closes_in: datetime.timedelta,
        only: list[str] | None = None,
    ) -> Batch:
        starts_on = today + start_in * day
        created = services.batch_create(
            actor=province_cadre,
            site=site,
            data=services.BatchInput(
                title=title,
                theme=theme,
                starts_on=starts_on,
                ends_on=starts_on + (days - 1) * day,
                capacity=capacity,
                opens_at=now - 2 * day,
                closes_at=now + closes_in,
                cost_per_person=Decimal(cost),
                only_designations=only or [],
            ),
        )
        return services.batch_publish(actor=province_cadre, batch=created)

    def split(b: Batch, city_places: int, district_places: int | None = None) -> None:
        services.quota_set(actor=province_cadre, batch=b, org=city, places=city_places)
        if district_places is not None:
            services.quota_set(actor=province_cadre, batch=b, org=district, places=district_places)

    applicants = _applicants(15, today)
    # Priority: two model workers and three front-line workers among the applicants.
    for member, _account in applicants[:2]:
        services.designation_add(
            actor=district_cadre,
            member=member,
            kind="model_worker",
            title="杭州市劳动模范",
            year=today.year - 2,
        )
    for member, _account in applicants[2:5]:
        services.designation_add(
            actor=district_cadre, member=member, kind="frontline", title="一线岗位", year=today.year
        )

    # 1. 千岛湖: applications closed two days ago, allocated by 西湖区.
    lake = batch(
        qiandaohu,
        title="一线职工疗休养（千岛湖第三期）",
        theme="一线职工疗休养",
        start_in=21,
        days=4,
        capacity=60,
        cost="1880",
        closes_in=datetime.timedelta(minutes=5),
    )
    split(lake, 20, 8)
    for _member, user in applicants[:12]:
        services.application_submit(user=user, batch_id=lake.pk)
    Batch.objects.filter(pk=lake.pk).update(opens_at=now - 12 * day, closes_at=now - 2 * day)
    district_quota = lake.quotas.get(org=district)
    services.quota_allocate(actor=district_cadre, quota=district_quota)

    # 2. 莫干山, open now: three colleagues have applied; 张伟 applies in the browser journey.
    hills = batch(
        moganshan,
        title="一线职工疗休养（莫干山第五期）",
        theme="一线职工疗休养",
        start_in=30,
        days=3,
        capacity=80,
        cost="1320",
        closes_in=7 * day,
    )
    split(hills, 24, 6)
    for _member, user in applicants[12:15]:
        services.application_submit(user=user, batch_id=hills.pk)

    # 3. 莫干山, for model workers only; Hangzhou holds its places and allocates them itself.
    models_batch = batch(
        moganshan,
        title="劳模疗休养（莫干山专期）",
        theme="劳模疗休养",
        start_in=45,
        days=5,
        capacity=40,
        cost="2350",
        closes_in=10 * day,
        only=["model_worker"],
    )
    split(models_batch, 12)
    return {"recuperation_batches": 3}
