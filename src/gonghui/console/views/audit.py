"""The audit log for the audit administrator (MLPS 2.0 level 3: 审计管理员): list with filters, detail, CSV export.

Access comes from the platform duty, not from a union role: the audit administrator may hold no role at
all, so these views do not use @console_view. Their duty is platform-wide, so they see every record; the
"current union" filter narrows the list to a subtree when they also work in the console (docs/audit.md).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import duties
from gonghui.core.audit import AuditFilter, audit_record_query, log_action, record_hash
from gonghui.core.errors import NotFound
from gonghui.core.exports import csv_safe
from gonghui.core.models import AuditRecord
from gonghui.orgs import selectors
from gonghui.orgs.models import Org

from .common import duty_view

PAGE_SIZE = 50


# Logged in and holding the audit administrator duty; a refused attempt is itself audited.
audit_admin_view = duty_view(
    duties.AUDIT,
    refused=gettext_lazy("Only the audit administrator may read the audit log."),
    refused_action="gonghui.audit.access_denied",
)


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("The start of the action code, e.g. gonghui.auth"),
    )
    actor = forms.CharField(
        label=gettext_lazy("Actor"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Name or mobile number"),
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        required=False,
        choices=[("", gettext_lazy("Any result")), *AuditRecord.Result.choices],
    )
    object_type = forms.CharField(
        label=gettext_lazy("Object type"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("e.g. orgs.org"),
    )
    org = forms.CharField(
        label=gettext_lazy("Union code"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("Records of this union and the unions below it"),
    )
    current_org = forms.BooleanField(label=gettext_lazy("Only the current union and below"), required=False)

    def __init__(self, *args: Any, current: Org | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        if current is None:
            del self.fields["current_org"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        code = data.get("org")
        if code:
            # The audit administrator's duty covers every union, so the code is looked up without a scope.
            try:
                data["org_path"] = selectors.org_by_code(code=code).path
            except NotFound:
                self.add_error("org", _("No union has this code."))
                data["org_path"] = ""
        elif data.get("current_org") and self.current is not None:
            data["org_path"] = self.current.path
        return data

    def audit_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            action=data.get("action", ""),
            actor=data.get("actor", ""),
            result=data.get("result", ""),
            object_type=data.get("object_type", ""),
            org_path=data.get("org_path", ""),
        )

    def summary(self) -> dict[str, str]:
        """The filters in use, for the audit record of an export."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "", False)}


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The console frame when the administrator also works in a union, else the audit-only frame."""
    layout = "console/base.html" if hasattr(request, "org") else "console/_duty_layout.html"
    return render(request, template, {**context, "layout": layout}, status=status)


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    form = AuditFilterForm(request.GET, current=getattr(request, "org", None))
    form.is_valid()
    return form


def _int_param(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET[name])
    except (KeyError, ValueError):
        return None


@audit_admin_view
def audit_list(request: HttpRequest) -> HttpResponse:
    """Newest first, paged by sequence number (keyset): one query for the rows whatever the page or its
    size, and no COUNT over a table of many millions of rows."""
    form = _filter_form(request)
    records: list[AuditRecord] = []
    has_older = has_newer = False
    if form.is_valid():
        qs = audit_record_query(form.audit_filter())
        before, after = _int_param(request, "before"), _int_param(request, "after")
        if after is not None:
            records = list(qs.filter(seq__gt=after).order_by("seq")[: PAGE_SIZE + 1])
            has_newer = len(records) > PAGE_SIZE
            records = records[:PAGE_SIZE][::-1]
            has_older = True
        else:
            if before is not None:
                qs = qs.filter(seq__lt=before)
            records = list(qs[: PAGE_SIZE + 1])
            has_older = len(records) > PAGE_SIZE
            records = records[:PAGE_SIZE]
            has_newer = before is not None
    params = request.GET.copy()
    params.pop("before", None)
    params.pop("after", None)
    return _render(
        request,
        "console/audit/list.html",
        {
            "form": form,
            "records": records,
            "older_before": records[-1].seq if has_older and records else None,
            "newer_after": records[0].seq if has_newer and records else None,
            "query": params.urlencode(),
        },
    )


@audit_admin_view
def audit_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = AuditRecord.objects.select_related("actor").filter(pk=record_id).first()
    if record is None:
        raise Http404
    return _render(
        request,
        "console/audit/detail.html",
        {
            "record": record,
            "data": json.dumps(record.data, ensure_ascii=False, indent=2, sort_keys=True),
            "hash_ok": record_hash(record) == record.hash,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(records: Iterator[AuditRecord]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte order mark first, so that Excel opens the UTF-8 file with the Chinese text intact.
    yield "\ufeff"
    yield writer.writerow(
        [
            _("Sequence"),
            _("Time"),
            _("Actor"),
            _("Action"),
            _("Object type"),
            _("Object id"),
            _("Object"),
            _("Org path"),
            _("Result"),
            _("IP address"),
            _("User agent"),
            _("Data"),
            _("Hash"),
        ]
    )
    for r in records:
        row = [
            r.seq,
            timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
            r.actor_label,
            r.action,
            r.object_type,
            r.object_id,
            r.object_repr,
            r.org_path,
            r.get_result_display(),
            r.ip or "",
            r.user_agent,
            json.dumps(r.data, ensure_ascii=False, sort_keys=True) if r.data else "",
            r.hash,
        ]
        yield writer.writerow([csv_safe(cell) for cell in row])


@audit_admin_view
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered list as CSV (UTF-8 with BOM, formula-safe cells), streamed; the export is audited."""
    form = _filter_form(request)
    if not form.is_valid():
        return _render(request, "console/audit/list.html", {"form": form, "records": []}, status=400)
    qs = audit_record_query(form.audit_filter())
    log_action(
        actor=request.user,
        action="gonghui.audit.exported",
        data={"filters": form.summary(), "count": qs.count()},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        _csv_rows(qs.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
