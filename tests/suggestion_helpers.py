"""Helpers shared by the suggestion and proposal tests: members of the named cast's grassroots unions."""

from __future__ import annotations

from gonghui.members import services as member_services
from gonghui.members.models import Member

from .conftest import fake_id


def make_member(actor, org, user, n: int, *, name: str = "", region: str = "330106") -> Member:
    """`user` becomes an active member of `org`, entered by `actor` (who must manage members there)."""
    person = member_services.person_clean(
        name=name or user.real_name,
        id_number=fake_id(n, region=region),
        mobile=user.mobile,
        work_division_code=region,
    )
    return member_services.member_create(actor=actor, org=org, person=person, user=user)
