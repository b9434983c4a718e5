"""One JSON error shape for every error the API returns:

{"error": {"code": "invalid_uscc", "message": "...", "field": "uscc", "details": {...}}}
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gonghui.core.errors import ServiceError


def error_body(code: str, message: str, field: str | None = None, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, "details": details or {}}}


# Where ninja reports an input error: the location, then the view's parameter name for a request body.
_LOCATION_PARTS = {"body", "query", "path", "header", "cookie", "form", "data", "payload"}


def _field_name(loc: list[Any]) -> str | None:
    """("body", "data", "days") -> "days": the name a client sent, not where ninja keeps it."""
    parts = [str(p) for p in loc]
    while parts and parts[0] in _LOCATION_PARTS:
        parts.pop(0)
    return ".".join(parts) or None


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return api.create_response(
            request, error_body(exc.code, str(exc.message), exc.field, exc.details), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{"field": _field_name(e.get("loc", [])), "message": e.get("msg", "")} for e in exc.errors]
        first = errors[0]["field"] if errors else None
        return api.create_response(
            request,
            error_body("invalid_input", _("Some fields are missing or invalid."), first, {"errors": errors}),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body("not_authenticated", _("Log in or send a valid API token.")), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)
