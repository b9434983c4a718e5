"""Writes of the labour-relations risk warning (DOMAIN §4): weights and thresholds as data, the sign of trouble a
handler marks on a request, and the scoring of employers (daily, and after an import of indicators:
services/risk_indicators.py).

An employer's score comes from the platform's own requests (wage-arrears requests, collective cases, layoffs,
closures and relocations in the window of its responsible union's RiskPolicy) and from the latest value of each
imported indicator (social-insurance and utility arrears, arbitration cases), weighed by rights/rules.py with
the responsible union's weights. A level that rises tells the union's case handlers once; a level that falls
resets that memory, so a later rise tells them again.

Employers are known by their credit code. Requests that name only the employer's union are grouped by that union;
requests with only a name are not scored (see docs/risk.md).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.models import Notice
from gonghui.core.notify import holder_ids
from gonghui.members.routing import territorial_for
from gonghui.members.rules import HOLDING_KINDS
from gonghui.orgs.models import Org
from gonghui.orgs.services import require

from .. import rules
from ..models import (
    Case,
    CaseEvent,
    Category,
    EmployerIndicator,
    EmployerRisk,
    Outcome,
    RiskIndicator,
    RiskLevel,
    RiskPolicy,
    RiskSignal,
    RiskWeight,
)
from ..routing import DISTRICT_OR_ABOVE, _nearest
from ..selectors import risk_policy_for, risk_weights_for, thresholds_of
from .cases import PERM, _audit, _event, _locked, _require_handler

# --- weights and thresholds (rules as data) ----------------------------------------------------------------------

MAX_WINDOW_DAYS = 730


def risk_weight_set(*, actor: Any, org: Org, indicator: str, points: Decimal, cap: Decimal) -> RiskWeight:
    """A union sets how much one indicator weighs, for itself and every union below it that sets none. Zero
    points leave the indicator out of the score there."""
    require(actor=actor, perm="org.change", org=org)
    if indicator not in RiskIndicator.values:
        raise ServiceError("invalid_indicator", _("Choose an indicator."), field="indicator")
    try:
        points, cap = Decimal(points), Decimal(cap)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ServiceError("invalid_points", _("Give the points as numbers."), field="points") from exc
    if not (0 <= points <= rules.MAX_POINTS) or points != points.quantize(Decimal("0.01")):
        raise ServiceError(
            "invalid_points",
            _("Points per unit are from 0 to 1000, with at most two decimals."),
            field="points",
        )
    if not (0 <= cap <= rules.MAX_POINTS) or cap != cap.quantize(Decimal("0.01")):
        raise ServiceError(
            "invalid_cap", _("The cap is from 0 to 1000, with at most two decimals."), field="cap"
        )
    with transaction.atomic():
        weight, _created = RiskWeight.objects.update_or_create(
            org=org, indicator=indicator, defaults={"points": points, "cap": cap}
        )
        log_action(
            actor=actor,
            action="gonghui.rights.risk.weight_set",
            obj=weight,
            org_path=org.path,
            data={"indicator": indicator, "points": str(points), "cap": str(cap)},
        )
    return weight


def risk_policy_set(
    *, actor: Any, org: Org, window_days: int, yellow: int, orange: int, red: int
) -> RiskPolicy:
    """A union sets its warning thresholds (points from which yellow, orange and red apply) and how many days
    of requests count, for itself and every union below it that sets none."""
    require(actor=actor, perm="org.change", org=org)
    if not isinstance(window_days, int) or not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ServiceError(
            "invalid_window",
            _("Count requests of the last 1 to %(n)s days.") % {"n": MAX_WINDOW_DAYS},
            field="window_days",
        )
    if not all(isinstance(v, int) for v in (yellow, orange, red)) or not 0 < yellow < orange < red <= 10000:
        raise ServiceError(
            "invalid_thresholds",
            _("The thresholds must grow: 0 < yellow < orange < red."),
            field="orange",
        )
    with transaction.atomic():
        policy, _created = RiskPolicy.objects.update_or_create(
            org=org, defaults={"window_days": window_days, "yellow": yellow, "orange": orange, "red": red}
        )
        log_action(
            actor=actor,
            action="gonghui.rights.risk.policy_set",
            obj=policy,
            org_path=org.path,
            data={"window_days": window_days, "thresholds": [yellow, orange, red]},
        )
    return policy


# --- the sign of trouble on a request ----------------------------------------------------------------------------


def case_mark_signal(*, actor: Any, case: Case, signal: str) -> Case:
    """The handler of a request (or the union above) marks what it reveals about the employer: layoffs, a
    closure or a relocation; an empty signal clears the mark. The employer's score is computed again at once."""
    if signal and signal not in RiskSignal.values:
        raise ServiceError("invalid_signal", _("Choose a sign of trouble."), field="signal")
    with transaction.atomic():
        case = _locked(case)
        _require_handler(actor, case)
        if case.risk_signal == signal:
            return case
        before = case.risk_signal
        case.risk_signal = signal
        case.save(update_fields=["risk_signal"])
        note = (
            str(_("Sign of trouble at the employer: %(signal)s")) % {"signal": RiskSignal(signal).label}
            if signal
            else str(_("The sign of trouble at the employer was cleared."))
        )
        _event(case, CaseEvent.Kind.NOTE, actor=actor, note=note, visible=False)
        _audit(actor, "signal_marked", case, signal=signal, before=before)
    key = rules.employer_key(case.employer_uscc, case.employer_org_id)
    if key:
        risks_compute(only={key})
    return case


# --- scoring -----------------------------------------------------------------------------------------------------

# Requests that say nothing about the employer: found unfounded, or withdrawn by the worker.
NOT_COUNTED = (Outcome.UNFOUNDED, Outcome.WITHDRAWN)
SIGNAL_INDICATORS: dict[str, str] = {
    RiskSignal.LAYOFF: RiskIndicator.LAYOFFS,
    RiskSignal.CLOSURE: RiskIndicator.CLOSURES,
    RiskSignal.RELOCATION: RiskIndicator.RELOCATIONS,
}


@dataclass
class _Employer:
    key: str
    name: str = ""
    cases: list[tuple[datetime.date, str, bool, str]] = field(
        default_factory=list
    )  # (received, category, ...)
    divisions: Counter[str] = field(default_factory=Counter)
    case_orgs: Counter[int] = field(default_factory=Counter)
    indicators: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class ComputeResult:
    employers: int = 0
    scored: int = 0
    warned: int = 0
    skipped: int = 0


def _max_window() -> int:
    from django.db.models import Max

    largest = RiskPolicy.objects.aggregate(m=Max("window_days"))["m"] or 0
    return max(largest, rules.DEFAULT_WINDOW_DAYS)


def _gather(today: datetime.date, only: Collection[str] | None) -> dict[str, _Employer]:
    """Every employer with requests in the longest window, imported indicators, or a score already kept."""
    since = today - datetime.timedelta(days=_max_window())
    employers: dict[str, _Employer] = {}
    cases = (
        Case.objects.filter(received_on__gt=since, received_on__lte=today)
        .exclude(outcome__in=NOT_COUNTED)
        .exclude(employer_uscc="", employer_org__isnull=True)
        .order_by("received_at", "pk")
        .values_list(
            "employer_uscc",
            "employer_org_id",
            "employer_name",
            "received_on",
            "category",
            "collective",
            "risk_signal",
            "work_division_code",
            "org_id",
        )
    )
    if only is not None:
        usccs = [k for k in only if rules.org_key_id(k) is None]
        org_ids = [i for k in only if (i := rules.org_key_id(k)) is not None]
        from django.db.models import Q

        cases = cases.filter(Q(employer_uscc__in=usccs) | Q(employer_uscc="", employer_org_id__in=org_ids))
    for uscc, org_id, name, received, category, collective, signal, division, case_org in cases.iterator(
        chunk_size=2000
    ):
        key = rules.employer_key(uscc, org_id)
        e = employers.setdefault(key, _Employer(key))
        e.name = name or e.name  # the latest name given wins
        e.cases.append((received, category, collective, signal))
        if division:
            e.divisions[division] += 1
        e.case_orgs[case_org] += 1
    indicators = EmployerIndicator.objects.filter(as_of__lte=today)
    if only is not None:
        indicators = indicators.filter(employer_uscc__in=list(only))
    latest: dict[tuple[str, str], datetime.date] = {}
    for uscc, indicator, value, as_of, name in (
        indicators.order_by("employer_uscc", "indicator", "-as_of")
        .values_list("employer_uscc", "indicator", "value", "as_of", "employer_name")
        .iterator(chunk_size=2000)
    ):
        if (uscc, indicator) in latest:
            continue
        latest[(uscc, indicator)] = as_of
        e = employers.setdefault(uscc, _Employer(uscc))
        e.indicators[indicator] = value
        e.name = e.name or name
    kept = EmployerRisk.objects.all()
    if only is not None:
        kept = kept.filter(employer_uscc__in=list(only))
    for key, name in kept.values_list("employer_uscc", "employer_name"):
        employers.setdefault(key, _Employer(key, name=name))
    return employers


class _Unions:
    """Finds the responsible union of an employer, caching the lookups of one run."""

    def __init__(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        usccs = [k for k in keys if rules.org_key_id(k) is None]
        self.by_uscc: dict[str, Org] = {}
        for org in Org.objects.filter(uscc__in=usccs, is_active=True, kind__in=HOLDING_KINDS).order_by("pk"):
            self.by_uscc.setdefault(org.uscc or "", org)
        org_ids = [i for k in keys if (i := rules.org_key_id(k)) is not None]
        self.orgs: dict[int, Org] = Org.objects.in_bulk(org_ids)
        self.territorial: dict[str, Org | None] = {}
        self.district_of: dict[int, Org | None] = {}

    def _territorial(self, division: str) -> Org | None:
        if division not in self.territorial:
            self.territorial[division] = territorial_for(division) if division else None
        return self.territorial[division]

    def _district_of(self, org_id: int) -> Org | None:
        if org_id not in self.district_of:
            org = Org.objects.filter(pk=org_id).first()
            self.district_of[org_id] = _nearest(org, DISTRICT_OR_ABOVE) if org is not None else None
        return self.district_of[org_id]

    def responsible(self, e: _Employer) -> tuple[Org | None, str]:
        """(union, division code): the employer's own union, else the district of its place of work from its
        requests (else the district above the unions handling them), else the union of the place in its credit
        code, else none."""
        org_id = rules.org_key_id(e.key)
        if org_id is not None:
            own = self.orgs.get(org_id)
            if own is not None and own.is_active and own.kind in HOLDING_KINDS:
                return own, own.division_code
        elif e.key in self.by_uscc:
            own = self.by_uscc[e.key]
            return own, own.division_code or (e.divisions.most_common(1)[0][0] if e.divisions else "")
        for division, _n in e.divisions.most_common():
            place = self._territorial(division)
            if place is not None:
                return place, division
        for case_org, _n in e.case_orgs.most_common():
            district = self._district_of(case_org)
            if district is not None:
                return district, district.division_code
        division = e.key[2:8] if org_id is None else ""
        if division.isdigit():
            place = self._territorial(division)
            if place is not None:
                return place, division
        return None, ""


def _employer_name(e: _Employer, row: EmployerRisk | None, own: Org | None, responsible: Org) -> str:
    """The employer's own name where the platform knows it (a union's employer), else the latest name given
    in a request or an import, else the union's name."""
    if own is not None and own.employer_name:
        return own.employer_name[:120]
    return (e.name or (row.employer_name if row else "") or (own.name if own else "") or responsible.name)[
        :120
    ]


def _values(e: _Employer, today: datetime.date, window_days: int) -> dict[str, Decimal]:
    counts: Counter[str] = Counter()
    for received, category, collective, signal in e.cases:
        if not rules.in_window(received, today, window_days):
            continue
        if category == Category.WAGES:
            counts[RiskIndicator.WAGE_REQUESTS] += 1
        if collective:
            counts[RiskIndicator.COLLECTIVE_CASES] += 1
        if signal in SIGNAL_INDICATORS:
            counts[SIGNAL_INDICATORS[signal]] += 1
    values: dict[str, Decimal] = {k: Decimal(v) for k, v in counts.items()}
    values.update(e.indicators)
    return values


WARNING_TEXT = _("%(level)s for %(employer)s: score %(score)s (%(reasons)s)")
MANY_WARNINGS_TEXT = _("%(n)s employers for which %(org)s is responsible reached a warning level.")
# A union told about more employers than this in one run gets one notice that points to the list instead: a
# first import of a district's arrears must not bury the handlers under thousands of notices.
NOTICES_PER_UNION = 5
CHUNK = 200  # employers written per transaction


@dataclass
class _Change:
    row: EmployerRisk
    warn: bool
    reasons: list[rules.Reason]


def risks_compute(
    *, today: datetime.date | None = None, only: Collection[str] | None = None
) -> ComputeResult:
    """Score every employer (or only the employer keys in `only`), keep the score, level and reasons, and tell
    the responsible union's case handlers when the level rises. Run daily by the scheduler and after an import
    or a marked sign of trouble; idempotent: a second run with the same data changes nothing and tells nobody."""
    today = today or timezone.localdate()
    result = ComputeResult()
    employers = _gather(today, only)
    result.employers = len(employers)
    if not employers:
        return result
    unions = _Unions(employers)
    kept = {r.employer_uscc: r for r in EmployerRisk.objects.filter(employer_uscc__in=list(employers))}
    weights: dict[int, dict[str, rules.Weight]] = {}
    policies: dict[int, RiskPolicy] = {}
    now = timezone.now()
    changes: list[_Change] = []
    for key, e in employers.items():
        org, division = unions.responsible(e)
        row = kept.get(key)
        if org is None:
            result.skipped += 1
            continue
        if org.pk not in weights:
            weights[org.pk] = risk_weights_for(org)
            policies[org.pk] = risk_policy_for(org)
        policy = policies[org.pk]
        total, level, reasons = rules.score(
            _values(e, today, policy.window_days), weights[org.pk], thresholds_of(policy)
        )
        if row is None and total <= 0:
            continue
        result.scored += 1
        reasons_json = [r.as_json() for r in reasons]
        name = _employer_name(e, row, unions.orgs.get(rules.org_key_id(key) or 0), org)
        if row is None:
            row = EmployerRisk(employer_uscc=key, notified_level=RiskLevel.NONE)
        changed = row.pk is None or (
            row.score != total
            or row.level != level
            or row.reasons != reasons_json
            or row.org_id != org.pk
            or row.employer_name != name
            or row.division_code != division
        )
        warn = rules.rises(level, row.notified_level)
        if not changed and not warn and row.notified_level == level:
            continue
        row.employer_name, row.org, row.division_code = name, org, division
        row.score, row.level, row.reasons, row.computed_at = total, level, reasons_json, now
        if warn or rules.LEVEL_ORDER[level] < rules.LEVEL_ORDER.get(row.notified_level, 0):
            # A rise tells the union once; a fall lowers the memory so that the next rise tells it again.
            row.notified_level = level
        changes.append(_Change(row, warn, reasons))
    warned_per_org = Counter(c.row.org_id for c in changes if c.warn)
    summarised: set[int] = set()
    holders: dict[int, list[int]] = {}
    for start in range(0, len(changes), CHUNK):
        with transaction.atomic():
            notices: list[Notice] = []
            for change in changes[start : start + CHUNK]:
                change.row.save()
                if not change.warn:
                    continue
                result.warned += 1
                org = change.row.org
                if org.pk not in holders:
                    holders[org.pk] = _case_handlers(org)
                if warned_per_org[org.pk] <= NOTICES_PER_UNION:
                    text_, url = (
                        _warning_text(change.row, change.reasons),
                        reverse("console:risk_detail", args=[change.row.pk]),
                    )
                elif org.pk not in summarised:
                    summarised.add(org.pk)
                    text_ = str(MANY_WARNINGS_TEXT) % {"n": warned_per_org[org.pk], "org": org.name}
                    url = reverse("console:risk_list")
                else:
                    text_ = ""
                if text_:
                    notices.extend(Notice(user_id=u, text=text_[:300], url=url) for u in holders[org.pk])
                log_action(
                    actor="system",
                    action="gonghui.rights.risk.warned",
                    obj=change.row,
                    org_path=org.path,
                    data={
                        "level": change.row.level,
                        "score": str(change.row.score),
                        "reasons": change.row.reasons,
                    },
                )
            Notice.objects.bulk_create(notices)
    return result


def risk_coordinates_set(coordinates: Mapping[str, tuple[Decimal, Decimal]]) -> int:
    """Keep the coordinates an import gave for employers already scored (for the map); the rows that differ
    are updated, so doing it again changes nothing."""
    changed = 0
    for key, (lat, lng) in coordinates.items():
        changed += (
            EmployerRisk.objects.filter(employer_uscc=key)
            .exclude(latitude=lat, longitude=lng)
            .update(latitude=lat, longitude=lng)
        )
    return changed


def _case_handlers(org: Org) -> list[int]:
    """Who notify_org(org, "case.handle") would tell. Read once per union and run."""
    return holder_ids(org, PERM)


def _warning_text(row: EmployerRisk, reasons: list[rules.Reason]) -> str:
    labels = dict(RiskIndicator.choices)
    summary = "; ".join(
        f"{labels.get(r.indicator, r.indicator)} {rules.plain_number(r.value)}" for r in reasons[:3]
    )
    return str(WARNING_TEXT) % {
        "level": row.get_level_display(),
        "employer": row.employer_name,
        "score": rules.plain_number(row.score),
        "reasons": summary,
    }


__all__ = [
    "MAX_WINDOW_DAYS",
    "ComputeResult",
    "case_mark_signal",
    "risk_coordinates_set",
    "risk_policy_set",
    "risk_weight_set",
    "risks_compute",
]
