"""Cadre pages of the labour-relations risk warning (DOMAIN §4): the warning list with its reasons, a map of the
employers with coordinates, one employer's warning with its requests and indicators, the import of external
indicators, the weights and thresholds in force, and the sign of trouble a handler marks on a request.

Each view is an access-checked selector (404 outside scope, 403 for the wrong role), a form, one service call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.errors import ServiceError
from gonghui.core.security import CONTENT_SECURITY_POLICY
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.services import require
from gonghui.rights import rules, selectors, services
from gonghui.rights.models import RiskIndicator, RiskLevel, RiskSignal

from .common import ConsoleRequest, console_view
from .imports import _xlsx
from .members import _page, _query_without_page

PERM = "case.handle"

# --- forms ---------------------------------------------------------------------------------------------------


class RiskFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Employer or credit code")}),
    )
    level = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("All warnings")),
            (RiskLevel.RED, RiskLevel.RED.label),
            (RiskLevel.ORANGE, RiskLevel.ORANGE.label),
            (RiskLevel.YELLOW, RiskLevel.YELLOW.label),
            ("all", gettext_lazy("Every scored employer")),
        ],
    )


class IndicatorImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (xlsx or csv)"))


class RiskWeightForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"), choices=RiskIndicator.choices)
    points = forms.DecimalField(
        label=gettext_lazy("Points per unit"), min_value=0, max_value=1000, decimal_places=2
    )
    cap = forms.DecimalField(
        label=gettext_lazy("At most (points)"), min_value=0, max_value=1000, decimal_places=2
    )


class RiskPolicyForm(forms.Form):
    window_days = forms.IntegerField(
        label=gettext_lazy("Count requests of the last (days)"),
        min_value=1,
        max_value=services.risk.MAX_WINDOW_DAYS,
    )
    yellow = forms.IntegerField(label=gettext_lazy("Yellow from (points)"), min_value=1, max_value=10000)
    orange = forms.IntegerField(label=gettext_lazy("Orange from (points)"), min_value=1, max_value=10000)
    red = forms.IntegerField(label=gettext_lazy("Red from (points)"), min_value=1, max_value=10000)


def _show(form: Any, exc: ServiceError) -> None:
    if exc.status in (403, 404):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _filters(request: ConsoleRequest) -> tuple[RiskFilterForm, str, str]:
    form = RiskFilterForm(request.GET)
    f = form.cleaned_data if form.is_valid() else {}
    return form, f.get("level", ""), f.get("q", "")


# --- the list and the map --------------------------------------------------------------------------------------


@console_view
def risk_list(request: ConsoleRequest) -> HttpResponse:
    """Employers of the current union's subtree with a warning: red first, then by score, with the reasons."""
    require(actor=request.user, perm=PERM, org=request.org)
    form, level, q = _filters(request)
    page = _page(request, selectors.risk_list(actor=request.user, org=request.org, level=level, q=q))
    rows = [(risk, selectors.risk_reasons(risk)) for risk in page.object_list]
    return render(
        request,
        "console/rights/risk/list.html",
        {"form": form, "page": page, "rows": rows, "query": _query_without_page(request)},
    )


def tile_source(url: str) -> str:
    """The origin a tile URL loads images from, for the page's Content-Security-Policy ({s} subdomains become
    a wildcard). Empty when the URL is not http(s)."""
    parts = urlsplit(url.replace("{s}", "tiles"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.netloc.replace("tiles.", "*.", 1) if "{s}." in url else parts.netloc
    return f"{parts.scheme}://{host}"


@console_view
def risk_map(request: ConsoleRequest) -> HttpResponse:
    """The employers with coordinates as coloured circles. Map tiles load only when GONGHUI_MAP_TILE_URL is
    set (intranets often have no tile server); without them the circles sit on a plain background, and the
    list below the map remains."""
    require(actor=request.user, perm=PERM, org=request.org)
    form, level, q = _filters(request)
    tiles = getattr(settings, "GONGHUI_MAP_TILE_URL", "") or ""
    source = tile_source(tiles)
    points = selectors.risk_map_points(actor=request.user, org=request.org, level=level)
    if q:
        points = [p for p in points if q.lower() in p["name"].lower()]
    data = {
        "tiles": tiles if source else "",
        "attribution": getattr(settings, "GONGHUI_MAP_ATTRIBUTION", "") or "",
        "points": points,
    }
    response = render(
        request,
        "console/rights/risk/map.html",
        {"form": form, "map_data": data, "points": points, "has_tiles": bool(data["tiles"])},
    )
    if source:
        # The tile server is the one other origin this page loads images from.
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:", f"img-src 'self' data: {source}"
        )
    return response


# --- one employer ----------------------------------------------------------------------------------------------


@console_view
def risk_detail(request: ConsoleRequest, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(actor=request.user, risk_id=risk_id)
    return render(
        request,
        "console/rights/risk/detail.html",
        {
            "risk": risk,
            "reasons": selectors.risk_reasons(risk),
            "cases": selectors.risk_cases(actor=request.user, risk=risk),
            "indicators": selectors.risk_indicators(risk=risk),
            "credit_code": "" if rules.org_key_id(risk.employer_uscc) else risk.employer_uscc,
        },
    )


# --- import ----------------------------------------------------------------------------------------------------


@console_view
def risk_import(request: ConsoleRequest) -> HttpResponse:
    """Upload a file of indicators for the employers of the current union's subtree. Every bad row is listed
    and nothing is written; a clean file is written whole and the scores follow at once."""
    require(actor=request.user, perm=PERM, org=request.org)
    form = IndicatorImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.indicators_import(
                actor=request.user, org=request.org, upload=form.cleaned_data["file"]
            )
        except ServiceError as exc:
            _show(form, exc)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("%(n)s rows imported: %(created)s new, %(updated)s corrected, %(unchanged)s unchanged.")
                    % {
                        "n": result.rows,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                if result.deferred:
                    messages.info(
                        request, _("The scores of these employers are being computed; they appear shortly.")
                    )
                return redirect("console:risk_import")
    labels = [
        (labels[0], str(RiskIndicator(code).label))
        for code, labels in services.risk_indicators.INDICATOR_LABELS.items()
    ]
    return render(
        request, "console/rights/risk/import.html", {"form": form, "result": result, "labels": labels}
    )


@console_view
def risk_template(request: ConsoleRequest) -> HttpResponse:
    require(actor=request.user, perm=PERM, org=request.org)
    return _xlsx(services.indicators_template_xlsx(), "risk-indicators-template")


# --- weights and thresholds ------------------------------------------------------------------------------------


@console_view
def risk_rules(request: ConsoleRequest) -> HttpResponse:
    """The weights and thresholds in force at the current union and where each comes from; an administrator
    of the union sets its own, for it and the unions below it."""
    org = request.org
    require(actor=request.user, perm=PERM, org=org)
    may_change = org_selectors.actor_can(request.user, "org.change", org)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    policy = selectors.risk_policy_for(org)
    weight_form = RiskWeightForm(request.POST if action == "weight" else None)
    policy_form = RiskPolicyForm(
        request.POST if action == "policy" else None,
        initial={
            "window_days": policy.window_days,
            "yellow": policy.yellow,
            "orange": policy.orange,
            "red": policy.red,
        },
    )
    if action and not may_change:
        require(actor=request.user, perm="org.change", org=org)
    if action == "weight" and weight_form.is_valid():
        try:
            services.risk_weight_set(actor=request.user, org=org, **weight_form.cleaned_data)
        except ServiceError as exc:
            _show(weight_form, exc)
        else:
            messages.success(request, _("The weight was saved; it counts from the next computation."))
            return redirect("console:risk_rules")
    if action == "policy" and policy_form.is_valid():
        try:
            services.risk_policy_set(actor=request.user, org=org, **policy_form.cleaned_data)
        except ServiceError as exc:
            _show(policy_form, exc)
        else:
            messages.success(request, _("The thresholds were saved; they count from the next computation."))
            return redirect("console:risk_rules")
    return render(
        request,
        "console/rights/risk/rules.html",
        {
            "table": selectors.risk_weights_table(org),
            "policy": policy,
            "policy_source": policy.org if policy.pk else None,
            "may_change": may_change,
            "weight_form": weight_form,
            "policy_form": policy_form,
        },
    )


# --- the sign of trouble on a request --------------------------------------------------------------------------


@console_view
@require_POST
def case_signal(request: ConsoleRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=case_id)
    signal = request.POST.get("signal", "")
    try:
        services.case_mark_signal(actor=request.user, case=case, signal=signal)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        if signal in RiskSignal.values:
            messages.success(request, _("Marked: %(signal)s.") % {"signal": RiskSignal(signal).label})
        else:
            messages.success(request, _("The mark was cleared."))
    return redirect("console:rights_case", case_id=case_id)
