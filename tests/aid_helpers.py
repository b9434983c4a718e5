"""Helpers shared by the hardship-aid tests: a Zhejiang review chain, the cadres of each level, a verified
file for 张伟 (member_a) at grassroots A, and applications."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gonghui.aid import services
from gonghui.aid.models import AidApplication, HardshipFile, ReviewChain
from gonghui.orgs.models import Role

from .conftest import make_user
from .suggestion_helpers import make_member


@dataclass
class Cast:
    grassroots: object  # chair_a
    grassroots_2: object  # 孙干事, second cadre at grassroots A (verifies files)
    district: object  # district_cadre_a
    city: object  # 杨市干, city admin


def zhejiang_chain(tree) -> ReviewChain:
    return ReviewChain.objects.create(org=tree.province, levels=["grassroots", "district", "city"])


def cadres(tree, chair_a, district_cadre_a) -> Cast:
    return Cast(
        grassroots=chair_a,
        grassroots_2=make_user("13800000030", "孙干事", Role.ORG_ADMIN, tree.grassroots_a),
        district=district_cadre_a,
        city=make_user("13800000031", "杨市干", Role.ORG_ADMIN, tree.city),
    )


def verified_file(
    tree, cast: Cast, user, *, n: int = 1, org=None, category: str = "deep", creator=None, verifier=None
) -> HardshipFile:
    """`user` joins `org` (grassroots A by default) and gets a verified hardship file there."""
    org = org or tree.grassroots_a
    creator = creator or cast.grassroots
    member = make_member(creator, org, user, n)
    f = services.file_create(
        actor=creator,
        member=member,
        category=category,
        situation="妻子重病长期住院，孩子上学，家庭收入低",
        worker_income=Decimal("2400"),
        household=[
            services.HouseholdInput(name="王丽", relation="spouse", monthly_income=Decimal("0")),
            services.HouseholdInput(name="张小明", relation="child", monthly_income=Decimal("0")),
        ],
    )
    return services.file_verify(actor=verifier or cast.grassroots_2, file=f)


def medical(amount: str = "3000", code: str = "C50.9") -> services.ApplicationInput:
    return services.ApplicationInput(
        aid_type="medical",
        amount=Decimal(amount),
        reason="妻子乳腺癌化疗，自付费用高",
        illness_code=code,
        illness_name="乳腺恶性肿瘤",
    )


def approve_all(app: AidApplication, cast: Cast) -> AidApplication:
    for who in (cast.grassroots, cast.district, cast.city):
        app = services.application_approve(actor=who, application=app)
    return app
