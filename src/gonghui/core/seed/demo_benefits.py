"""Demo member days (会员日, 普惠) at 杭州西溪数智科技有限公司 (330106-G01), whose chair is 吴主席 and where the demo
member 张伟 works:

- a member-day film with a finished lottery: 12 colleagues (张伟 among them) signed up for 5 seats, the seed
  commitment was published at the close, the draw revealed the seed, winners and the waiting list are public;
- a supermarket voucher offer open for sign-up (a lottery for 3 vouchers, five colleagues already in), whose
  merchant is the demo shop account 13700000088;
- a health-check offer, first come, with vouchers issued and partly redeemed at the clinic (the same shop
  account redeems them);
- a family day still open for sign-up at district level, seen by every member in 西湖区.

Everything goes through the benefits services, so notices and the audit log are what the real workflow
writes. The sign-up windows that lie in the past are set back after the sign-ups (the services refuse to
publish an offer whose window has passed). Idempotent: skipped once the union has an offer.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import blind_q
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import Org

ORG = "330106-G01"
DISTRICT = "330106"
SHOP_MOBILE = "13700000088"
COLLEAGUE_MOBILE = "1370001{:04d}"


def _user(mobile: str) -> User | None:
    return User.objects.filter(blind_q(User, "mobile", mobile)).first()


def _colleagues(org: Org, n: int) -> list[User]:
    """Portal accounts for `n` members of the union who have none yet (no password: they log in by SMS)."""
    users = []
    members = Member.objects.filter(org=org, status=MemberStatus.ACTIVE, user__isnull=True).order_by("pk")[:n]
    for i, member in enumerate(members):
        mobile = COLLEAGUE_MOBILE.format(i)
        user = _user(mobile)
        if user is None:
            user = User.objects.create_user(mobile, None, real_name=member.name)
        Member.objects.filter(pk=member.pk).update(user=user)
        users.append(user)
    return users


def seed_benefits(*, now: datetime.datetime | None = None) -> dict[str, int]:
    from gonghui.benefits import services
    from gonghui.benefits.models import Offer, Voucher

    org = Org.objects.filter(code=ORG).first()
    district = Org.objects.filter(code=DISTRICT).first()
    chair = _user("13800000006")
    district_cadre = _user("13800000004")
    zhang = _user("13900000001")
    if org is None or chair is None or zhang is None or Offer.objects.filter(org=org).exists():
        return {"benefit_offers": 0}
    now = now or timezone.now()
    day = datetime.timedelta(days=1)
    colleagues = _colleagues(org, 16)
    shop = _user(SHOP_MOBILE)
    if shop is None:
        shop = User.objects.create_user(
            SHOP_MOBILE, settings.GONGHUI_DEMO_PASSWORD, real_name="西溪体检中心前台"
        )

    def offer(**kw: Any) -> Offer:
        data = services.OfferInput(**kw)
        return services.offer_publish(
            actor=chair, offer=services.offer_create(actor=chair, org=org, data=data)
        )

    # 1. The film: signed up last week, closed three days ago, drawn.
    film = offer(
        kind="activity",
        category="观影",
        title="会员日观影《热辣滚烫》",
        description="会员日专场，每人限一张票；中签后凭电子票二维码入场，开场前 60 分钟开始签到。",
        place="西湖文化广场影城 3 号厅",
        starts_at=(now + 4 * day).replace(hour=14, minute=0, second=0, microsecond=0),
        ends_at=(now + 4 * day).replace(hour=16, minute=30, second=0, microsecond=0),
        quota=5,
        opens_at=now - 10 * day,
        closes_at=now + datetime.timedelta(minutes=5),
        allocation="lottery",
    )
    for user in [zhang, *colleagues[:11]]:
        services.entry_apply(user=user, offer_id=film.pk)
    Offer.objects.filter(pk=film.pk).update(closes_at=now - 3 * day)
    film.refresh_from_db()
    services.offer_close(actor=chair, offer=film)
    services.offer_draw(actor=chair, offer=film)

    # 2. Supermarket vouchers, open now: the journey of the browser test signs 张伟 up here.
    market = offer(
        kind="offer",
        category="购物券",
        title="会员日超市购物券（100元）",
        description="联华超市文新店使用，每人限领一张，不找零、不兑现。名额不足时公开抽签。",
        quota=3,
        opens_at=now - day,
        closes_at=now + 3 * day,
        allocation="lottery",
        voucher_expires_at=now + 40 * day,
    )
    services.merchant_add(actor=chair, offer=market, mobile=SHOP_MOBILE, name="联华超市文新店")
    for user in colleagues[11:16]:
        services.entry_apply(user=user, offer_id=market.pk)

    # 3. Health checks, first come: ten vouchers issued, four used at the clinic.
    clinic = offer(
        kind="offer",
        category="体检优惠",
        title="职工健康体检 5 折",
        description="西溪体检中心职工套餐 5 折，凭电子券到前台核销。",
        quota=30,
        opens_at=now - 20 * day,
        closes_at=now + datetime.timedelta(minutes=5),
        allocation="first_come",
    )
    services.merchant_add(actor=chair, offer=clinic, mobile=SHOP_MOBILE, name="西溪体检中心")
    for user in [zhang, *colleagues[:9]]:
        services.entry_apply(user=user, offer_id=clinic.pk)
    Offer.objects.filter(pk=clinic.pk).update(closes_at=now - 5 * day)
    clinic.refresh_from_db()
    services.offer_close(actor=chair, offer=clinic)
    for voucher in Voucher.objects.filter(offer=clinic).exclude(entry__user=zhang).order_by("pk")[:4]:
        services.voucher_redeem(user=shop, code=voucher.code)

    # 4. A family day of the district, open to every member in 西湖区.
    made = 3
    if district is not None and district_cadre is not None:
        family = services.offer_create(
            actor=district_cadre,
            org=district,
            data=services.OfferInput(
                kind="activity",
                category="亲子",
                title="亲子手工体验日",
                description="六一前夕，带孩子来做陶艺和扎染，每户限报一次。",
                place="西湖区职工服务中心二楼",
                starts_at=(now + 12 * day).replace(hour=9, minute=30, second=0, microsecond=0),
                ends_at=(now + 12 * day).replace(hour=11, minute=30, second=0, microsecond=0),
                quota=40,
                opens_at=now - day,
                closes_at=now + 6 * day,
                allocation="lottery",
                min_membership_months=3,
            ),
        )
        services.offer_publish(actor=district_cadre, offer=family)
        made = 4
    return {"benefit_offers": made}
