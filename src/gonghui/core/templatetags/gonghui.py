"""Template helpers shared by the portal and the console."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# What a person reads for the audit actions they meet on their own pages; the audit administrator sees codes.
ACTION_LABELS = {
    "gonghui.auth.login": _("Logged in"),
    "gonghui.auth.login_failed": _("Failed login"),
    "gonghui.auth.login_locked": _("Login refused: account locked"),
    "gonghui.auth.logout": _("Logged out"),
    "gonghui.auth.logout_everywhere": _("Logged out on every device"),
    "gonghui.auth.password_changed": _("Password changed"),
    "gonghui.auth.reauthenticated": _("Password confirmed"),
    "gonghui.auth.2fa_enrolled": _("Two-factor login set up"),
    "gonghui.auth.2fa_verified": _("Two-factor code accepted"),
    "gonghui.auth.2fa_failed": _("Two-factor code refused"),
    "gonghui.auth.session_expired": _("Logged out after inactivity"),
    "gonghui.pii.self_export": _("Downloaded my data"),
    "gonghui.member.application_submitted": _("Applied to join the union"),
    "gonghui.member.application_became_transfer": _("Application handled as a transfer"),
    "gonghui.member.application_withdrawn": _("Withdrew a membership application"),
    "gonghui.member.application_approved": _("Membership application approved"),
    "gonghui.member.application_rejected": _("Membership application rejected"),
    "gonghui.member.application_rerouted": _("Membership application passed to another union"),
    "gonghui.member.transfer_started": _("Membership transfer started"),
    "gonghui.member.transfer_accepted": _("Membership transfer accepted"),
    "gonghui.member.transfer_rejected": _("Membership transfer refused"),
    "gonghui.member.transfer_cancelled": _("Membership transfer cancelled"),
    "gonghui.member.status_changed": _("Membership status changed"),
    "gonghui.member.updated": _("Member details changed"),
    "gonghui.rights.case.submitted": _("Asked the union for help"),
    "gonghui.rights.case.rated": _("Rated the handling of a request"),
    "gonghui.rights.case.reopened": _("Reopened a request"),
    "gonghui.rights.case.withdrawn": _("Withdrew a request"),
    "gonghui.pii.correction_requested": _("Asked for a correction"),
    "gonghui.api_token.issued": _("API token issued"),
    "gonghui.api_token.revoked": _("API token revoked"),
}


@register.filter
def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


@register.filter
def holds(user: object, perm: str) -> bool:
    """Whether the user holds `perm` anywhere (navigation shows only the sections a role can open)."""
    from gonghui.orgs.selectors import scope_paths

    return bool(scope_paths(user, perm))
