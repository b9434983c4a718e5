"""Which union is responsible for a request (DOMAIN §4), and why, in words the worker reads.

In order: for a collective case, the district union above the employer or of the place of work; for an
anonymous report about an employer, the union above the employer's own union (the employer's union is close
to management and must not be the one to learn who complained); otherwise the employer's own union; else the
union of the place of work (district, else city, else province).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import ServiceError
from gonghui.members.routing import territorial_for
from gonghui.members.rules import HOLDING_KINDS
from gonghui.orgs.models import Org, OrgKind

REASONS: dict[str, Promise] = {
    "employer": _("Sent to %(org)s because it is the union of your employer."),
    "above_employer": _(
        "Sent to %(org)s because reports made without a name go to the union above your employer's own union."
    ),
    "collective": _(
        "Sent to %(org)s because a case that affects ten or more workers is handled by the district union."
    ),
    "local": _("Sent to %(org)s because it is the union where you work."),
    "operator": _("Kept by %(org)s, where the hotline call was received."),
    "transferred": _("Transferred to %(org)s: %(reason)s"),
}

# The unions inside one employer: a report about the employer goes above them.
UNIT_KINDS = (OrgKind.GRASSROOTS, OrgKind.BRANCH, OrgKind.GROUP)
DISTRICT_OR_ABOVE = (OrgKind.DISTRICT, OrgKind.CITY, OrgKind.PROVINCE, OrgKind.NATIONAL)


@dataclass(frozen=True)
class Route:
    org: Org
    code: str

    def explain(self, reason: str = "") -> str:
        return explain(self.code, self.org, reason)


def explain(code: str, org: Org, reason: str = "") -> str:
    template = REASONS.get(code)
    return str(template) % {"org": org.name, "reason": reason} if template else org.name


def _nearest(org: Org, kinds: tuple[str, ...]) -> Org | None:
    """The org itself or its nearest ancestor of one of `kinds` (ancestors come from the path: one query)."""
    if org.kind in kinds:
        return org
    ancestors = {o.pk: o for o in Org.objects.filter(pk__in=org.ancestor_ids(), is_active=True)}
    for pk in reversed(org.ancestor_ids()):
        found = ancestors.get(pk)
        if found is not None and found.kind in kinds:
            return found
    return None


def _above(org: Org) -> Org | None:
    """The nearest active ancestor that is not a grassroots union, branch or group."""
    if org.parent is None:
        return None
    return _nearest(org.parent, tuple(k for k in OrgKind.values if k not in UNIT_KINDS))


def route(
    *,
    employer_org: Org | None,
    employer_uscc: str,
    work_division_code: str,
    anonymous: bool,
    collective: bool,
) -> Route:
    if employer_org is None and employer_uscc:
        employer_org = Org.objects.filter(uscc=employer_uscc, is_active=True, kind__in=HOLDING_KINDS).first()
    if employer_org is not None and not (employer_org.is_active and employer_org.kind in HOLDING_KINDS):
        employer_org = None
    local = territorial_for(work_division_code)
    if collective:
        base = employer_org or local
        district = _nearest(base, DISTRICT_OR_ABOVE) if base is not None else None
        if district is not None:
            return Route(district, "collective")
    if employer_org is not None:
        if anonymous:
            above = _above(employer_org)
            if above is not None:
                return Route(above, "above_employer")
        else:
            return Route(employer_org, "employer")
    if local is not None:
        return Route(local, "local")
    raise ServiceError(
        "no_route",
        _("We could not find a union for this request: choose the employer or the district where you work."),
        field="work_division_code",
    )
