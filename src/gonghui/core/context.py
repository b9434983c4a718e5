"""Where the current request came from, so that audit records can say "from where" without every
service taking the request as an argument."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestInfo] = ContextVar("gonghui_request_info", default=RequestInfo())  # noqa: B039 (frozen, so safe to share)


def current_request_info() -> RequestInfo:
    return _current.get()


def set_request_info(info: RequestInfo):  # type: ignore[no-untyped-def]
    return _current.set(info)


def reset_request_info(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)
