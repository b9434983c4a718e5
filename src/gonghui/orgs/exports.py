"""The lists of the union tree that can be exported (registered with core.exports in OrgsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.masking import mask_mobile

from .models import Org, RoleAssignment
from .paths import subtree_q


def roles_dataset(*, org: Org, masked: bool) -> tuple[list[str], list[list[Any]]]:
    """Everyone holding a role in the union's subtree."""
    headers = [_("Person"), _("Mobile number"), _("Union"), _("Org code"), _("Role"), _("Granted")]
    rows = [
        [
            ra.user.real_name,
            mask_mobile(ra.user.mobile) if masked else ra.user.mobile,
            ra.org.name,
            ra.org.code,
            ra.get_role_display(),
            timezone.localtime(ra.granted_at).strftime("%Y-%m-%d"),
        ]
        for ra in RoleAssignment.objects.filter(subtree_q(org.path, "org__path"))
        .select_related("user", "org")
        .order_by("org__path", "role")
    ]
    return headers, rows
