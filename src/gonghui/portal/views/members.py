"""Member pages of the portal: join, progress, member card, transfer. (Being built.)"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


join = join_code = join_employers = application = membership = member_card_pdf = member_transfer = _todo
card_verify = applications = _todo
