"""Writes of collective contracts (集体合同, DOMAIN §3): drafting, negotiation rounds, signing, submission to the
labour administration and its receipt, confirmation or objection, documents, renewal, the union's reminder
setting, and the daily sweep that puts contracts into effect on the 15th day after receipt, reminds once
before expiry and marks expired contracts.

Every step checks "contract.manage" on the contract's union and the state under a row lock (rules.TRANSITIONS),
logs `gonghui.contract.*`, and tells the union's contract managers through core.notify.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_uscc
from gonghui.core.notify import notify_org
from gonghui.core.uploads import (
    DOCUMENT_TYPES,
    check_upload,
    delete_stored,
    safe_name,
    sha256_of,
    store_upload,
)
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.paths import is_within
from gonghui.orgs.services import require

from . import rules
from .models import (
    CollectiveContract,
    ContractCoverage,
    ContractDocument,
    ContractPolicy,
    Kind,
    Level,
    NegotiationRound,
    Status,
)
from .selectors import MANAGE, coverable_units

MAX_DOCUMENTS = 30
MAX_UNITS = 5000
REGIONAL_KINDS = frozenset({OrgKind.CITY, OrgKind.DISTRICT, OrgKind.STREET, OrgKind.PARK, OrgKind.JOINT})

TERM_MESSAGES = {
    "end_before_start": _("The term must end after it starts."),
    "term_too_short": _("A collective contract runs for at least one year."),
    "term_too_long": _("A collective contract runs for at most three years."),
}


@dataclass
class ContractInput:
    """What the union types about a contract; dates of the term may wait until signing."""

    title: str
    kind: str
    union_party: str
    union_representative: str
    employer_party: str
    employer_representative: str
    employer_uscc: str = ""
    summary: str = ""
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    covered_org_ids: Sequence[int] = field(default_factory=list)
    other_units: str = ""
    other_units_count: int = 0
    other_staff: int = 0


def _text(value: Any, *, field: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if field != "summary" and field != "minutes" and field != "objection" and field != "other_units":
        text = " ".join(text.split())
    if required and not text:
        raise ServiceError(f"{field}_required", _("This field is required."), field=field)
    if len(text) > limit:
        raise ServiceError("text_too_long", _("Write at most %(n)s characters.") % {"n": limit}, field=field)
    return text


def _date(value: Any, *, field: str, today: datetime.date, past_only: bool = True) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ServiceError("date_required", _("Give the date."), field=field)
    if past_only and value > today:
        raise ServiceError("date_in_future", _("This date cannot lie in the future."), field=field)
    return value


def check_term(start: datetime.date | None, end: datetime.date | None) -> None:
    """Refuse a term that is not one to three years long (rules.term_problem), naming the end date."""
    if start is None or end is None:
        return
    problem = rules.term_problem(start, end)
    if problem is not None:
        raise ServiceError(problem.code, TERM_MESSAGES[problem.code], field="term_end")


def level_for(org: Org) -> str:
    if org.kind == OrgKind.GRASSROOTS:
        return Level.ENTERPRISE
    if org.kind == OrgKind.INDUSTRY:
        return Level.INDUSTRY
    if org.kind in REGIONAL_KINDS:
        return Level.REGIONAL
    raise ServiceError(
        "cannot_sign",
        _(
            "Collective contracts are signed by a grassroots union, or as regional or industry contracts by a "
            "district, street, park, joint or industry union."
        ),
        field="org",
    )


def _clean(org: Org, data: ContractInput) -> tuple[dict[str, Any], list[Org]]:
    """Validate the input; returns the contract's fields and the units it covers."""
    level = level_for(org)
    if data.kind not in Kind.values:
        raise ServiceError("invalid_kind", _("Choose the kind of contract."), field="kind")
    values: dict[str, Any] = {
        "title": _text(data.title, field="title", limit=200),
        "kind": data.kind,
        "level": level,
        "union_party": _text(data.union_party, field="union_party", limit=200),
        "union_representative": _text(data.union_representative, field="union_representative", limit=50),
        "employer_party": _text(data.employer_party, field="employer_party", limit=200),
        "employer_representative": _text(
            data.employer_representative, field="employer_representative", limit=50
        ),
        "employer_uscc": clean_uscc(data.employer_uscc, field="employer_uscc")
        if (data.employer_uscc or "").strip()
        else "",
        "summary": _text(data.summary, field="summary", limit=20000, required=False),
        "term_start": data.term_start,
        "term_end": data.term_end,
    }
    check_term(data.term_start, data.term_end)
    if level == Level.ENTERPRISE:
        units = [org]
        values.update(other_units="", other_units_count=0, other_staff=0)
    else:
        ids = sorted({int(i) for i in data.covered_org_ids})
        if len(ids) > MAX_UNITS:
            raise ServiceError("too_many_units", _("Too many units."), field="covered_org_ids")
        units = list(coverable_units(org=org).filter(pk__in=ids))
        if len(units) != len(ids):
            raise ServiceError(
                "unit_not_coverable",
                _(
                    "A regional or industry contract covers grassroots unions of the signing union's area or "
                    "industry."
                ),
                field="covered_org_ids",
            )
        for name, value in (("other_units_count", data.other_units_count), ("other_staff", data.other_staff)):
            if not isinstance(value, int) or value < 0 or value > 10_000_000:
                raise ServiceError("invalid_number", _("Give a whole number, 0 or more."), field=name)
        values.update(
            other_units=_text(data.other_units, field="other_units", limit=5000, required=False),
            other_units_count=data.other_units_count,
            other_staff=data.other_staff,
        )
        if not units and not data.other_units_count:
            raise ServiceError(
                "units_required", _("Name the units the contract covers."), field="covered_org_ids"
            )
    values["staff_covered"] = sum(u.staff_count for u in units) + values["other_staff"]
    return values, units


def _audit(actor: Any, action: str, contract: CollectiveContract, **data: Any) -> None:
    log_action(
        actor=actor, action=f"gonghui.contract.{action}", obj=contract, org_path=contract.org.path, data=data
    )


def _url(contract: CollectiveContract) -> str:
    return reverse("console:contract", args=[contract.pk])


def _locked(contract: CollectiveContract) -> CollectiveContract:
    return (
        CollectiveContract.objects.select_for_update(of=("self",)).select_related("org").get(pk=contract.pk)
    )


def _move(contract: CollectiveContract, target: str) -> None:
    if not rules.can_move(contract.status, target):
        raise ServiceError(
            "wrong_state",
            _("Not possible while the contract is %(status)s.") % {"status": contract.get_status_display()},
            status=409,
        )
    contract.status = target


# --- drafting -----------------------------------------------------------------------------------------------


def contract_create(*, actor: Any, org: Org, data: ContractInput) -> CollectiveContract:
    """Start a contract (drafting). An enterprise contract covers its own union; a regional or industry
    contract names the units it covers."""
    require(actor=actor, perm=MANAGE, org=org)
    values, units = _clean(org, data)
    with transaction.atomic():
        contract = CollectiveContract.objects.create(
            org=org, number=f"tmp-{timezone.now().timestamp()}", created_by=actor, **values
        )
        contract.number = f"JT{timezone.localdate():%Y}{contract.pk:06d}"
        contract.save(update_fields=["number"])
        ContractCoverage.objects.bulk_create([ContractCoverage(contract=contract, org=u) for u in units])
        _audit(actor, "created", contract, kind=contract.kind, level=contract.level, units=len(units))
    return contract


def contract_update(*, actor: Any, contract: CollectiveContract, data: ContractInput) -> CollectiveContract:
    """Change the parties, terms and coverage while the contract is drafted or negotiated."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    values, units = _clean(contract.org, data)
    with transaction.atomic():
        contract = _locked(contract)
        if not contract.is_editable:
            raise ServiceError(
                "not_editable", _("A signed contract cannot be changed; it can be renewed."), status=409
            )
        for key, value in values.items():
            setattr(contract, key, value)
        contract.save()
        ContractCoverage.objects.filter(contract=contract).exclude(org__in=units).delete()
        have = set(ContractCoverage.objects.filter(contract=contract).values_list("org_id", flat=True))
        ContractCoverage.objects.bulk_create(
            [ContractCoverage(contract=contract, org=u) for u in units if u.pk not in have]
        )
        _audit(actor, "updated", contract, units=len(units))
    return contract


def contract_round_add(
    *,
    actor: Any,
    contract: CollectiveContract,
    held_on: datetime.date,
    union_participants: str,
    employer_participants: str,
    minutes: str,
    place: str = "",
    files: Iterable[Any] = (),
) -> NegotiationRound:
    """Record a round of negotiation; the first one (or one after an objection) puts the contract in
    negotiation."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    today = timezone.localdate()
    held_on = _date(held_on, field="held_on", today=today)
    union_participants = _text(union_participants, field="union_participants", limit=500)
    employer_participants = _text(employer_participants, field="employer_participants", limit=500)
    minutes = _text(minutes, field="minutes", limit=20000)
    place = _text(place, field="place", limit=120, required=False)
    stored: list[str] = []
    try:
        with transaction.atomic():
            contract = _locked(contract)
            if contract.status not in (Status.DRAFTING, Status.NEGOTIATING, Status.OBJECTED):
                raise ServiceError(
                    "wrong_state",
                    _("Negotiation is over: the contract is %(status)s.")
                    % {"status": contract.get_status_display()},
                    status=409,
                )
            if contract.status != Status.NEGOTIATING:
                _move(contract, Status.NEGOTIATING)
                contract.save(update_fields=["status", "updated_at"])
            number = NegotiationRound.objects.filter(contract=contract).count() + 1
            round_ = NegotiationRound.objects.create(
                contract=contract,
                number=number,
                held_on=held_on,
                place=place,
                union_participants=union_participants,
                employer_participants=employer_participants,
                minutes=minutes,
                recorded_by=actor,
            )
            for file in files:
                stored.append(
                    _store(contract, file, actor=actor, kind=ContractDocument.DocKind.ROUND, round_=round_)
                )
            _audit(actor, "round_recorded", contract, round=number, held_on=held_on.isoformat())
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return round_


def _store(
    contract: CollectiveContract, file: Any, *, actor: Any, kind: str, round_: NegotiationRound | None = None
) -> str:
    if ContractDocument.objects.filter(contract=contract).count() >= MAX_DOCUMENTS:
        raise ServiceError(
            "too_many_documents",
            _("A contract holds at most %(n)s documents.") % {"n": MAX_DOCUMENTS},
            field="file",
            status=409,
        )
    content_type = check_upload(file, allowed=DOCUMENT_TYPES)
    size, digest, name = int(file.size), sha256_of(file), safe_name(getattr(file, "name", ""))
    path = store_upload(file, folder=f"contracts/{contract.pk}")
    ContractDocument.objects.create(
        contract=contract,
        round=round_,
        kind=kind,
        original_name=name,
        stored_path=path,
        content_type=content_type,
        size=size,
        sha256=digest,
        added_by=actor,
    )
    return path


def contract_document_add(
    *, actor: Any, contract: CollectiveContract, file: Any, kind: str = ContractDocument.DocKind.TEXT
) -> ContractDocument:
    """Attach the contract text, the signed copy, the administration's receipt or reply, or other papers."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    if kind not in ContractDocument.DocKind.values or kind == ContractDocument.DocKind.ROUND:
        raise ServiceError("invalid_kind", _("Choose what the document is."), field="kind")
    stored: list[str] = []
    try:
        with transaction.atomic():
            contract = _locked(contract)
            stored.append(_store(contract, file, actor=actor, kind=kind))
            doc = ContractDocument.objects.get(stored_path=stored[0])
            _audit(actor, "document_added", contract, kind=kind, sha256=doc.sha256, size=doc.size)
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return doc


# --- signing and the labour administration ------------------------------------------------------------------


def contract_sign(
    *,
    actor: Any,
    contract: CollectiveContract,
    signed_on: datetime.date,
    term_start: datetime.date,
    term_end: datetime.date,
    adopted_on: datetime.date | None = None,
) -> CollectiveContract:
    """Both sides signed after negotiation (and, where it applies, the workers' congress adopted the draft).
    The term is checked: one to three years."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    today = timezone.localdate()
    signed_on = _date(signed_on, field="signed_on", today=today)
    if not isinstance(term_start, datetime.date) or not isinstance(term_end, datetime.date):
        raise ServiceError("term_required", _("Give the term: when it starts and ends."), field="term_end")
    check_term(term_start, term_end)
    if adopted_on is not None:
        adopted_on = _date(adopted_on, field="adopted_on", today=today)
        if adopted_on > signed_on:
            raise ServiceError(
                "adopted_after_signing",
                _("The congress adopts the draft before it is signed."),
                field="adopted_on",
            )
    with transaction.atomic():
        contract = _locked(contract)
        last = NegotiationRound.objects.filter(contract=contract).order_by("-held_on").first()
        if last is None:
            raise ServiceError(
                "no_negotiation", _("Record the negotiation before the contract is signed."), status=409
            )
        if signed_on < last.held_on:
            raise ServiceError(
                "signed_before_negotiation",
                _("The contract is signed after the last round of negotiation (%(date)s).")
                % {"date": last.held_on.isoformat()},
                field="signed_on",
            )
        _move(contract, Status.SIGNED)
        contract.signed_on, contract.negotiated_on = signed_on, last.held_on
        contract.term_start, contract.term_end, contract.adopted_on = term_start, term_end, adopted_on
        contract.save()
        _audit(actor, "signed", contract, signed_on=signed_on.isoformat(), term_end=term_end.isoformat())
    return contract


def contract_submit(
    *, actor: Any, contract: CollectiveContract, submitted_on: datetime.date
) -> CollectiveContract:
    """Sent to the labour administration for review (within 10 days of signing, by the Provisions art. 42)."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    submitted_on = _date(submitted_on, field="submitted_on", today=timezone.localdate())
    with transaction.atomic():
        contract = _locked(contract)
        _move(contract, Status.SUBMITTED)
        if contract.signed_on and submitted_on < contract.signed_on:
            raise ServiceError(
                "submitted_before_signing",
                _("A contract is submitted after it is signed."),
                field="submitted_on",
            )
        contract.submitted_on = submitted_on
        contract.received_on = contract.review_ends_on = contract.objected_on = None
        contract.save()
        _audit(actor, "submitted", contract, submitted_on=submitted_on.isoformat())
    return contract


def contract_receipt(
    *, actor: Any, contract: CollectiveContract, received_on: datetime.date
) -> CollectiveContract:
    """The day the labour administration received it, from its receipt: the 15 days run from here. When
    they have already passed, the contract is in effect at once."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    today = timezone.localdate()
    received_on = _date(received_on, field="received_on", today=today)
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != Status.SUBMITTED:
            raise ServiceError("not_submitted", _("The contract has not been submitted."), status=409)
        if contract.submitted_on and received_on < contract.submitted_on:
            raise ServiceError(
                "received_before_submitted",
                _("The administration receives the contract on or after the day it was sent."),
                field="received_on",
            )
        contract.received_on = received_on
        contract.review_ends_on = rules.review_ends(received_on)
        contract.save(update_fields=["received_on", "review_ends_on", "updated_at"])
        _audit(
            actor,
            "received",
            contract,
            received_on=received_on.isoformat(),
            review_ends_on=contract.review_ends_on.isoformat(),
        )
        if rules.takes_effect(received_on=received_on, today=today):
            _make_effective(contract, on=contract.review_ends_on, actor=actor, how="no_objection")
    return contract


def _make_effective(contract: CollectiveContract, *, on: datetime.date, actor: Any, how: str) -> None:
    _move(contract, Status.EFFECTIVE)
    contract.effective_on = on
    contract.save(update_fields=["status", "effective_on", "updated_at"])
    notify_org(
        contract.org,
        MANAGE,
        str(_("Collective contract %(number)s is in effect from %(date)s."))
        % {
            "number": contract.number,
            "date": on.isoformat(),
        },
        _url(contract),
    )
    _audit(actor, "effective", contract, effective_on=on.isoformat(), how=how)


def contract_confirm(
    *, actor: Any, contract: CollectiveContract, confirmed_on: datetime.date
) -> CollectiveContract:
    """The labour administration confirmed the contract before the 15 days passed: in effect from then."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    confirmed_on = _date(confirmed_on, field="confirmed_on", today=timezone.localdate())
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != Status.SUBMITTED:
            raise ServiceError("not_submitted", _("The contract has not been submitted."), status=409)
        if contract.submitted_on and confirmed_on < contract.submitted_on:
            raise ServiceError(
                "confirmed_before_submitted",
                _("The confirmation comes after submission."),
                field="confirmed_on",
            )
        contract.confirmed_on = confirmed_on
        contract.save(update_fields=["confirmed_on"])
        _make_effective(contract, on=confirmed_on, actor=actor, how="confirmed")
    return contract


def contract_object(
    *, actor: Any, contract: CollectiveContract, objected_on: datetime.date, objection: str
) -> CollectiveContract:
    """The labour administration objected within its 15 days: the parties negotiate again."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    objected_on = _date(objected_on, field="objected_on", today=timezone.localdate())
    objection = _text(objection, field="objection", limit=5000)
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != Status.SUBMITTED:
            raise ServiceError("not_submitted", _("The contract has not been submitted."), status=409)
        if contract.submitted_on and objected_on < contract.submitted_on:
            raise ServiceError(
                "objected_before_submitted", _("The objection comes after submission."), field="objected_on"
            )
        if contract.received_on and objected_on >= rules.review_ends(contract.received_on):
            raise ServiceError(
                "review_over",
                _("The 15 days after receipt ended on %(date)s: the contract took effect without objection.")
                % {"date": rules.review_ends(contract.received_on).isoformat()},
                field="objected_on",
            )
        _move(contract, Status.OBJECTED)
        contract.objected_on, contract.objection = objected_on, objection
        contract.save(update_fields=["status", "objected_on", "objection", "updated_at"])
        notify_org(
            contract.org,
            MANAGE,
            str(_("The labour administration objected to collective contract %(number)s."))
            % {"number": contract.number},
            _url(contract),
        )
        _audit(actor, "objected", contract, objected_on=objected_on.isoformat())
    return contract


def contract_reopen(*, actor: Any, contract: CollectiveContract) -> CollectiveContract:
    """Back to negotiation: after an objection, or a signed contract not yet submitted."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    with transaction.atomic():
        contract = _locked(contract)
        _move(contract, Status.NEGOTIATING)
        contract.save(update_fields=["status", "updated_at"])
        _audit(actor, "reopened", contract)
    return contract


def contract_renew(*, actor: Any, contract: CollectiveContract) -> CollectiveContract:
    """Start the next contract: a draft with the same parties, kind and coverage, linked to this one."""
    require(actor=actor, perm=MANAGE, org=contract.org)
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status not in (Status.EFFECTIVE, Status.EXPIRED):
            raise ServiceError(
                "not_renewable", _("A contract in effect or expired can be renewed."), status=409
            )
        if CollectiveContract.objects.filter(renews=contract).exists():
            raise ServiceError("already_renewed", _("This contract already has a renewal."), status=409)
        start = contract.term_end + datetime.timedelta(days=1) if contract.term_end else None
        years = 0
        if contract.term_start and contract.term_end:
            years = max(
                rules.MIN_TERM_YEARS,
                min(rules.MAX_TERM_YEARS, round((contract.term_end - contract.term_start).days / 365.25)),
            )
        new = CollectiveContract.objects.create(
            org=contract.org,
            number=f"tmp-{contract.pk}-renewal",
            title=contract.title,
            kind=contract.kind,
            level=contract.level,
            union_party=contract.union_party,
            union_representative=contract.union_representative,
            employer_party=contract.employer_party,
            employer_uscc=contract.employer_uscc,
            employer_representative=contract.employer_representative,
            summary=contract.summary,
            other_units=contract.other_units,
            other_units_count=contract.other_units_count,
            other_staff=contract.other_staff,
            staff_covered=contract.staff_covered,
            term_start=start,
            term_end=rules.add_years(start, years) - datetime.timedelta(days=1) if start and years else None,
            renews=contract,
            created_by=actor,
        )
        new.number = f"JT{timezone.localdate():%Y}{new.pk:06d}"
        new.save(update_fields=["number"])
        ContractCoverage.objects.bulk_create(
            [
                ContractCoverage(contract=new, org_id=org_id)
                for org_id in ContractCoverage.objects.filter(contract=contract).values_list(
                    "org_id", flat=True
                )
            ]
        )
        _audit(actor, "renewal_started", contract, renewal=new.pk)
        _audit(actor, "created", new, renews=contract.pk, kind=new.kind, level=new.level)
    return new


def contract_policy_set(*, actor: Any, org: Org, remind_days_before: int) -> ContractPolicy:
    """How many days before expiry the union (and the unions below it without their own setting) is reminded."""
    require(actor=actor, perm=MANAGE, org=org)
    if not isinstance(remind_days_before, int) or not 1 <= remind_days_before <= rules.MAX_REMIND_DAYS:
        raise ServiceError(
            "invalid_remind_days",
            _("Remind between 1 and %(n)s days before expiry.") % {"n": rules.MAX_REMIND_DAYS},
            field="remind_days_before",
        )
    with transaction.atomic():
        policy, _created = ContractPolicy.objects.update_or_create(
            org=org, defaults={"remind_days_before": remind_days_before}
        )
        log_action(
            actor=actor,
            action="gonghui.contract.policy_set",
            obj=policy,
            org_path=org.path,
            data={"remind_days_before": remind_days_before},
        )
    return policy


def contract_summary_print(*, actor: Any, contract: CollectiveContract) -> bytes:
    """The cover and summary sheet as a PDF (audited: it names the parties)."""
    from .documents import contract_summary_pdf

    pdf = contract_summary_pdf(contract)
    with transaction.atomic():
        _audit(actor, "summary_printed", contract)
    return pdf


def document_open(*, actor: Any, document: ContractDocument) -> Any:
    """Open a document the caller already holds through a scoped selector; the download is audited."""
    from gonghui.core.errors import NotFound
    from gonghui.core.uploads import media_path

    try:
        handle = open(media_path(document.stored_path), "rb")  # noqa: SIM115  # closed by the caller
    except (OSError, ValueError) as exc:
        raise NotFound(_("The file is missing.")) from exc
    try:
        with transaction.atomic():
            log_action(
                actor=actor,
                action="gonghui.contract.document_downloaded",
                obj=document,
                org_path=document.contract.org.path,
                data={"contract": document.contract_id, "sha256": document.sha256},
            )
    except BaseException:
        handle.close()
        raise
    return handle


# --- the sweep ----------------------------------------------------------------------------------------------


def _policies() -> dict[str, int]:
    """Every union's own reminder setting by path: a small table, read once per sweep."""
    return dict(ContractPolicy.objects.values_list("org__path", "remind_days_before"))


def _remind_days(path: str, policies: dict[str, int]) -> int:
    best, days = "", rules.DEFAULT_REMIND_DAYS
    for p, d in policies.items():
        if is_within(path, p) and len(p) > len(best):
            best, days = p, d
    return days


def contracts_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Once a day: contracts with the administration whose 15 days after receipt have passed take effect
    (dated the 15th day); contracts in effect are reminded about once before they expire (the union's lead
    time), unless a renewal is under way; those past the end of their term expire. Idempotent: the status
    and `reminded_for` are the memory; after downtime one run catches up."""
    today = today or timezone.localdate()
    done = {"effective": 0, "reminded": 0, "expired": 0}
    due = CollectiveContract.objects.filter(status=Status.SUBMITTED, review_ends_on__lte=today)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            contract = _locked(CollectiveContract(pk=pk))
            if contract.status == Status.SUBMITTED and rules.takes_effect(
                received_on=contract.received_on, today=today
            ):
                assert contract.received_on is not None
                _make_effective(
                    contract, on=rules.review_ends(contract.received_on), actor="system", how="no_objection"
                )
                done["effective"] += 1
    for pk in list(
        CollectiveContract.objects.filter(status=Status.EFFECTIVE, term_end__lt=today).values_list(
            "pk", flat=True
        )
    ):
        with transaction.atomic():
            contract = _locked(CollectiveContract(pk=pk))
            if contract.status != Status.EFFECTIVE or contract.term_end is None:
                continue
            if rules.has_expired(end=contract.term_end, today=today):
                _move(contract, Status.EXPIRED)
                contract.expired_on = contract.term_end + datetime.timedelta(days=1)
                contract.save(update_fields=["status", "expired_on", "updated_at"])
                notify_org(
                    contract.org,
                    MANAGE,
                    str(_("Collective contract %(number)s has expired.")) % {"number": contract.number},
                    _url(contract),
                )
                _audit("system", "expired", contract, term_end=contract.term_end.isoformat())
                done["expired"] += 1
    policies = _policies()
    horizon = today + datetime.timedelta(days=rules.MAX_REMIND_DAYS)
    candidates = (
        CollectiveContract.objects.filter(
            status=Status.EFFECTIVE, term_end__gte=today, term_end__lte=horizon, renewal__isnull=True
        )
        .select_related("org")
        .only("pk", "term_end", "reminded_for", "org__path")
    )
    for c in list(candidates):
        assert c.term_end is not None
        days = _remind_days(c.org.path, policies)
        if not rules.should_remind(
            end=c.term_end, today=today, remind_days=days, reminded_for=c.reminded_for
        ):
            continue
        with transaction.atomic():
            contract = _locked(c)
            if contract.status != Status.EFFECTIVE or contract.term_end is None:
                continue
            if not rules.should_remind(
                end=contract.term_end, today=today, remind_days=days, reminded_for=contract.reminded_for
            ):
                continue
            contract.reminded_for, contract.reminded_at = contract.term_end, timezone.now()
            contract.save(update_fields=["reminded_for", "reminded_at"])
            notify_org(
                contract.org,
                MANAGE,
                str(_("Collective contract %(number)s expires on %(date)s: start negotiating its renewal."))
                % {
                    "number": contract.number,
                    "date": contract.term_end.isoformat(),
                },
                _url(contract),
            )
            _audit("system", "expiry_reminded", contract, term_end=contract.term_end.isoformat(), days=days)
            done["reminded"] += 1
    return done
