"""Cadre pages of the membership module. (Being built.)"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


member_list = member_new = member_detail = member_status = member_transfer = member_reveal = _todo
member_dues = application_list = application = application_batch = _todo
transfer_list = transfer = lapse_list = lapse_decide = arrears = member_policy = _todo
