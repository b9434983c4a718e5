"""The union an API call works on: the one asked for by `org_id`, else the top of the caller's scope."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import NotFound
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import org_get, top_orgs


def union_or_top(request: HttpRequest, org_id: int | None, perm: str) -> Org:
    """404 outside the caller's scope, 403 inside it without `perm`."""
    if org_id:
        return org_get(actor=request.user, org_id=org_id, perm=perm)
    top = top_orgs(actor=request.user).first()
    if top is None:
        raise NotFound(_("No such union in your scope."))
    return org_get(actor=request.user, org_id=top.pk, perm=perm)
