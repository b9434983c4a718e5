"""What each role may do, as data. Law-level and structural rules of the tree live here too."""

from __future__ import annotations

from .models import OrgKind, Role

# Permission codes checked by orgs.selectors.actor_can. A role held in an org applies to its subtree.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ORG_ADMIN: frozenset(
        {
            "org.view",
            "org.change",
            "org.move",
            "org.request.decide",
            "role.manage",
            "review",
            "case.handle",
            "member.view",
            "member.manage",
            "member.reveal",
            "dues.manage",
            # Democratic management (DOMAIN §3): reading all of it, running the congress and its polls,
            # the proposal committee's work, suggestions, disclosure and collective contracts.
            "democracy.view",
            "congress.manage",
            "proposal.manage",
            "suggestion.manage",
            "disclosure.manage",
            "contract.manage",
            # Worker services (DOMAIN §5): reading them, and running each service.
            "services.view",
            "aid.manage",
            "medical.manage",
            "recuperation.manage",
            "station.manage",
            "benefit.manage",
        }
    ),
    Role.REVIEWER: frozenset({"org.view", "review", "member.view"}),
    Role.CASE_HANDLER: frozenset({"org.view", "case.handle"}),
    Role.VIEWER: frozenset({"org.view", "member.view", "democracy.view", "services.view"}),
}

# Which kinds may hang under which. The depth is not fixed (DOMAIN §1): a grassroots union may sit under a
# district, a street, a park or a joint union.
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    OrgKind.NATIONAL: frozenset(),
    OrgKind.PROVINCE: frozenset({OrgKind.NATIONAL}),
    OrgKind.CITY: frozenset({OrgKind.PROVINCE}),
    OrgKind.DISTRICT: frozenset({OrgKind.CITY, OrgKind.PROVINCE}),
    OrgKind.STREET: frozenset({OrgKind.DISTRICT}),
    OrgKind.PARK: frozenset({OrgKind.DISTRICT, OrgKind.CITY}),
    OrgKind.JOINT: frozenset({OrgKind.DISTRICT, OrgKind.STREET, OrgKind.PARK, OrgKind.CITY}),
    OrgKind.INDUSTRY: frozenset({OrgKind.NATIONAL, OrgKind.PROVINCE, OrgKind.CITY}),
    OrgKind.GRASSROOTS: frozenset(
        {OrgKind.DISTRICT, OrgKind.STREET, OrgKind.PARK, OrgKind.JOINT, OrgKind.CITY, OrgKind.INDUSTRY}
    ),
    OrgKind.BRANCH: frozenset({OrgKind.GRASSROOTS}),
    OrgKind.GROUP: frozenset({OrgKind.GRASSROOTS, OrgKind.BRANCH}),
}

TERRITORIAL_KINDS = frozenset(
    {OrgKind.NATIONAL, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT, OrgKind.STREET}
)

# A unit with this many members or more should set up a full union committee (DOMAIN §1).
COMMITTEE_THRESHOLD = 25


def can_hang_under(kind: str, parent_kind: str | None) -> bool:
    if parent_kind is None:
        return kind == OrgKind.NATIONAL
    return parent_kind in ALLOWED_PARENTS.get(kind, frozenset())


def roles_with(perm: str) -> list[str]:
    """The roles that grant `perm`."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def permissions_for(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
