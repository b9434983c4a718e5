"""Cadre pages of spreadsheet imports. (Being built.)"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404


import_list = import_new = import_detail = import_progress = import_problems = import_commit = _todo
import_template = member_export = _todo
