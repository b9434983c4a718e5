"""Which union should handle an application (DOMAIN §2), and why, in words the applicant reads.

In order: the employer's own union; for new-employment workers their platform's union, the joint union they
chose, or the joint union where they work; else the union of the place of work (the street they chose, or
the district or city of the division code). The employer is never told.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import ServiceError
from gonghui.orgs.models import Org, OrgKind

from .rules import HOLDING_KINDS, NEW_EMPLOYMENT_FORMS

REASONS: dict[str, Promise] = {
    "employer": _("Sent to %(org)s because it is the union of your employer."),
    "platform": _("Sent to %(org)s because it is the union of the platform you work through."),
    "chosen": _("Sent to %(org)s because you chose it."),
    "joint_local": _(
        "Sent to %(org)s because it is the joint union for new-employment workers where you work."
    ),
    "local": _("Sent to %(org)s because your employer has no union and it is the union where you work."),
    "rerouted": _("Passed to %(org)s by a union cadre: %(reason)s"),
}


@dataclass(frozen=True)
class Route:
    org: Org
    code: str

    def explain(self, reason: str = "") -> str:
        return explain(self.code, self.org, reason)


def explain(code: str, org: Org, reason: str = "") -> str:
    template = REASONS.get(code)
    return str(template) % {"org": org.name, "reason": reason} if template else org.name


def territorial_for(division_code: str) -> Org | None:
    """The lowest territorial union for a GB/T 2260 code: the district, else the city, else the province."""
    if not division_code:
        return None
    candidates = [division_code, division_code[:4] + "00", division_code[:2] + "0000"]
    kinds = [OrgKind.DISTRICT, OrgKind.CITY, OrgKind.PROVINCE]
    found = {
        (o.division_code, o.kind): o
        for o in Org.objects.filter(is_active=True, division_code__in=candidates, kind__in=kinds)
    }
    for code in candidates:
        for kind in kinds:
            org = found.get((code, kind))
            if org is not None:
                return org
    return None


def _joint_union_near(district: Org) -> Org | None:
    """A joint union inside the district (on its own or under a street), the first by name."""
    from gonghui.orgs.paths import subtree_q

    return (
        Org.objects.filter(subtree_q(district.path), kind=OrgKind.JOINT, is_active=True)
        .order_by("depth", "name")
        .first()
    )


def route(
    *,
    employment_form: str,
    employer_org: Org | None = None,
    employer_uscc: str = "",
    platform_org: Org | None = None,
    chosen_org: Org | None = None,
    work_division_code: str = "",
) -> Route:
    if employer_org is None and employer_uscc:
        employer_org = Org.objects.filter(
            Q(uscc=employer_uscc), is_active=True, kind__in=HOLDING_KINDS
        ).first()
    if employer_org is not None and employer_org.is_active and employer_org.kind in HOLDING_KINDS:
        return Route(employer_org, "employer")
    new_employment = employment_form in NEW_EMPLOYMENT_FORMS
    if new_employment and platform_org is not None and platform_org.is_active and platform_org.is_platform:
        return Route(platform_org, "platform")
    if chosen_org is not None and chosen_org.is_active and chosen_org.kind in HOLDING_KINDS:
        return Route(chosen_org, "chosen")
    local = territorial_for(work_division_code)
    if local is not None:
        if new_employment and local.kind == OrgKind.DISTRICT:
            joint = _joint_union_near(local)
            if joint is not None:
                return Route(joint, "joint_local")
        return Route(local, "local")
    raise ServiceError(
        "no_route",
        _(
            "We could not find a union for you: choose your employer, a union near you, or the district where you work."
        ),
        field="work_division_code",
    )
