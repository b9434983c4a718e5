"""The one error type that services raise for anything a user did wrong or may not do."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ServiceError(Exception):
    """A refused operation: a machine code for clients and a translatable message for people.

    `status` is the HTTP status the API answers with; 404 is used for objects outside the actor's scope
    so that a cadre cannot learn that an org in another district exists.
    """

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        status: int = 400,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.status = status
        self.field = field
        self.details = details or {}

    def __str__(self) -> str:
        return str(self.message)


class NotFound(ServiceError):
    def __init__(self, message: str | Promise | None = None) -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__("not_found", message or _("Not found."), status=404)


class PermissionDenied(ServiceError):
    def __init__(self, message: str | Promise | None = None) -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__("permission_denied", message or _("You may not do this."), status=403)
