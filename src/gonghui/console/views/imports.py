"""Cadre pages of spreadsheet imports (members, wage bases, dues payments) and of the member list export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.members import imports, selectors, spreadsheets
from gonghui.members.bulk import member_export_masked
from gonghui.members.imports import import_max_bytes
from gonghui.members.models import EmploymentForm, ImportJob, MemberStatus

from .common import ConsoleRequest, console_view

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNNING = (ImportJob.Status.CHECKING, ImportJob.Status.COMMITTING)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=gettext_lazy("File"), widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"].help_text = _("XLSX or CSV (UTF-8 or GB18030), at most %(mb)s MB.") % {
            "mb": import_max_bytes() // (1024 * 1024)
        }


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="gonghui-{name}-{stamp}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@console_view
def import_list(request: ConsoleRequest) -> HttpResponse:
    selectors.import_org_check(actor=request.user, org=request.org)
    return render(
        request,
        "console/imports/list.html",
        {
            "jobs": selectors.import_jobs(actor=request.user)[:100],
            "statuses": MemberStatus.choices,
            "forms": EmploymentForm.choices,
        },
    )


@console_view
def import_new(request: ConsoleRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind") or ImportJob.Kind.MEMBERS
    selectors.import_org_check(
        actor=request.user, org=request.org, kind=kind if kind in spreadsheets.LAYOUTS else "members"
    )
    form = ImportForm(request.POST or None, request.FILES or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_start(
                actor=request.user,
                org=request.org,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The file was received and is being checked."))
            return redirect("console:import_detail", job_id=job.pk)
    return render(
        request,
        "console/imports/new.html",
        {"form": form, "layouts": spreadsheets.LAYOUTS.values(), "kinds": dict(ImportJob.Kind.choices)},
    )


@console_view
def import_template(request: ConsoleRequest, kind: str) -> HttpResponse:
    if kind not in spreadsheets.LAYOUTS:
        raise Http404
    selectors.import_org_check(actor=request.user, org=request.org, kind=kind)
    return _xlsx(spreadsheets.template_xlsx(kind), f"template-{kind}")


def _detail_context(job: ImportJob) -> dict[str, object]:
    return {"job": job, "running": job.status in RUNNING}


@console_view
def import_detail(request: ConsoleRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    page = Paginator(selectors.import_problems(job=job), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "console/imports/detail.html",
        {**_detail_context(job), "page": page, "modes": ImportJob.Mode.choices},
    )


@console_view
def import_progress(request: ConsoleRequest, job_id: int) -> HttpResponse:
    """The progress bar alone, polled by htmx every second while the worker checks or imports. When the job
    is no longer running, htmx reloads the whole page to show the problems and the counts."""
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    response = render(request, "console/imports/_progress.html", _detail_context(job))
    if job.status not in RUNNING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@console_view
def import_problems(request: ConsoleRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    return _xlsx(spreadsheets.problems_xlsx(job), f"import-{job.pk}-problems")


@require_POST
@console_view
def import_commit(request: ConsoleRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(actor=request.user, job_id=job_id)
    try:
        imports.import_confirm(actor=request.user, job=job, mode=request.POST.get("mode", ""))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The import has started."))
    return redirect("console:import_detail", job_id=job.pk)


@console_view
def member_export(request: ConsoleRequest) -> HttpResponse:
    """The member list of the current union's subtree, filtered like the member list, masked, at once."""
    data = member_export_masked(
        actor=request.user,
        org=request.org,
        q=request.GET.get("q", ""),
        status=request.GET.get("status", ""),
        employment_form=request.GET.get("employment_form", ""),
    )
    return _xlsx(data, "members-masked")
