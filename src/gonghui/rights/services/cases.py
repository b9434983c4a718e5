"""Writes of rights protection (DOMAIN §4): submit and record requests, take them on, record the handling,
hand over and transfer, close, rate, reopen and withdraw; the deadline sweep; service levels.

Every step checks the state under a row lock, writes a `CaseEvent`, logs an audit record and tells the people
concerned after commit. First-contact responsibility: a request always has a responsible union and, once
taken, one handler; only a hand-over on the record changes who that is.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.accounts import throttle
from gonghui.core.audit import log_action
from gonghui.core.calendar import add_workdays_checked, workdays_counter
from gonghui.core.context import current_request_info
from gonghui.core.crypto import blind_index
from gonghui.core.errors import PermissionDenied, ServiceError
from gonghui.core.identifiers import clean_division_code, clean_mobile, clean_uscc
from gonghui.core.models import Notice
from gonghui.core.notify import holder_ids, notify_org, notify_users, send_sms
from gonghui.core.uploads import (
    DOCUMENT_TYPES,
    check_upload,
    delete_stored,
    safe_name,
    sha256_of,
    store_upload,
)
from gonghui.orgs.models import Org
from gonghui.orgs.selectors import actor_can
from gonghui.orgs.services import require

from .. import routing, rules
from ..models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseStatus,
    Category,
    Channel,
    Outcome,
    RightsPolicy,
    ServiceLevel,
    Stage,
)
from ..selectors import level_for, policy_for

FOLLOW_CODE_PURPOSE = "rights.case.follow_code"
# No 0/O, 1/I/L: a worker reads the code off a phone screen or hears it on the hotline.
FOLLOW_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FOLLOW_LENGTH = 10
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 5000
MAX_WORKERS = 100_000
MAX_DOCUMENTS = 10
PERM = "case.handle"

# --- input ---------------------------------------------------------------------------------------------------


@dataclass
class CaseInput:
    """What a worker or a hotline operator gives: checked by case_clean before anything is written."""

    category: str
    description: str
    employer_name: str = ""
    employer_uscc: str = ""
    work_division_code: str = ""
    work_place: str = ""
    workers_affected: int = 1
    contact_name: str = ""
    contact_mobile: str = ""


def case_clean(data: CaseInput) -> CaseInput:
    if data.category not in Category.values:
        raise ServiceError("invalid_category", _("Choose what the request is about."), field="category")
    description = (data.description or "").strip()
    if len(description) < DESCRIPTION_MIN:
        raise ServiceError(
            "description_short",
            _("Describe what happened in at least %(n)s characters.") % {"n": DESCRIPTION_MIN},
            field="description",
        )
    if len(description) > DESCRIPTION_MAX:
        raise ServiceError(
            "description_long",
            _("Keep the description under %(n)s characters; attach documents for the rest.")
            % {"n": DESCRIPTION_MAX},
            field="description",
        )
    workers = data.workers_affected
    if not isinstance(workers, int) or workers < 1 or workers > MAX_WORKERS:
        raise ServiceError(
            "invalid_workers", _("Give how many workers are affected (1 or more)."), field="workers_affected"
        )
    uscc = clean_uscc(data.employer_uscc, field="employer_uscc") if data.employer_uscc.strip() else ""
    division = (
        clean_division_code(data.work_division_code, field="work_division_code")
        if data.work_division_code.strip()
        else ""
    )
    mobile = clean_mobile(data.contact_mobile, field="contact_mobile") if data.contact_mobile.strip() else ""
    return CaseInput(
        category=data.category,
        description=description,
        employer_name=data.employer_name.strip()[:120],
        employer_uscc=uscc,
        work_division_code=division,
        work_place=data.work_place.strip()[:200],
        workers_affected=workers,
        contact_name=data.contact_name.strip()[:50],
        contact_mobile=mobile,
    )


# --- helpers ---------------------------------------------------------------------------------------------------


def follow_code_hash(code: str) -> str:
    """The keyed hash under which a follow-up code is kept; spaces, dashes and case do not matter."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return blind_index(normal, purpose=FOLLOW_CODE_PURPOSE)


def _new_follow_code() -> str:
    raw = "".join(secrets.choice(FOLLOW_ALPHABET) for _i in range(FOLLOW_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def deadlines(
    org: Org, category: str, start: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.date, bool]:
    """The three deadlines of a request received on `start`, and whether any was computed without an official
    holiday schedule (then shown as provisional)."""
    ack, respond, conclude = level_for(org, category)
    ack_due, p1 = add_workdays_checked(start, ack)
    respond_due, p2 = add_workdays_checked(start, respond)
    conclude_due, p3 = add_workdays_checked(start, conclude)
    return ack_due, respond_due, conclude_due, p1 or p2 or p3


def _event(
    case: Case,
    kind: str,
    *,
    actor: Any = None,
    org: Org | None = None,
    note: str = "",
    visible: bool = True,
    stage: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        org=org or case.org,
        note=note,
        visible_to_worker=visible,
        stage=stage,
    )


def _tell_worker(case: Case, text: str) -> None:
    """In-app notice to the requester's account and an SMS to the contact number, when there are any."""
    if case.requester_id:
        notify_users([case.requester_id], text, reverse("portal:rights_case", args=[case.pk]))
    if case.contact_mobile:
        send_sms(case.contact_mobile, text)


def _tell_union(case: Case) -> None:
    """A new request reaches its union's case handlers."""
    text = str(_("New request %(number)s: %(category)s")) % {
        "number": case.number,
        "category": case.get_category_display(),
    }
    notify_org(case.org, PERM, text, _console_url(case))


def _console_url(case: Case) -> str:
    return reverse("console:rights_case", args=[case.pk])


def _locked(case: Case) -> Case:
    # Lock the request row only: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the
    # parent union (the national root has none), and the unions need no lock.
    return Case.objects.select_for_update(of=("self",)).select_related("org", "org__parent").get(pk=case.pk)


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ServiceError("case_closed", _("This request is closed."), status=409)


def _require_handler(actor: Any, case: Case) -> None:
    """The handler acts on a request; a cadre with the permission further up the tree may step in too (the
    parent union supervises), but never someone outside the request's union."""
    require(actor=actor, perm=PERM, org=case.org)
    if case.handler_id is None:
        raise ServiceError("not_taken", _("Take the request on first."), status=409)
    if case.handler_id != actor.pk and not _supervises(actor, case):
        raise PermissionDenied(_("Only the handler of this request, or the union above, may do this."))


def _supervises(actor: Any, case: Case) -> bool:
    """A cadre holding the permission at the union above the request's union (the parent supervises)."""
    return case.org.parent is not None and actor_can(actor, PERM, case.org.parent)


def _audit(actor: Any, action: str, case: Case, **data: Any) -> None:
    log_action(
        actor=actor, action=f"gonghui.rights.case.{action}", obj=case, org_path=case.org.path, data=data
    )


def _audit_actor(user: Any, anonymous: bool) -> Any:
    # An anonymous report must not name its author anywhere the union can read, the audit log included.
    return "anonymous" if anonymous or user is None or not getattr(user, "is_authenticated", False) else user


# --- submit --------------------------------------------------------------------------------------------------


def _create(
    *,
    data: CaseInput,
    route: routing.Route,
    channel: str,
    requester: Any,
    anonymous: bool,
    employer_org: Org | None,
) -> tuple[Case, str]:
    now = timezone.now()
    today = timezone.localdate(now)
    ack_due, respond_due, conclude_due, provisional = deadlines(route.org, data.category, today)
    code = _new_follow_code()
    case = Case.objects.create(
        number=f"tmp-{secrets.token_hex(6)}",
        channel=channel,
        category=data.category,
        requester=None if anonymous else requester,
        anonymous=anonymous,
        follow_code_hash=follow_code_hash(code),
        contact_name="" if anonymous else data.contact_name,
        contact_mobile="" if anonymous else data.contact_mobile,
        employer_org=employer_org,
        employer_name=data.employer_name
        or ((employer_org.employer_name or employer_org.name) if employer_org else ""),
        employer_uscc=data.employer_uscc or ((employer_org.uscc or "") if employer_org else ""),
        work_division_code=data.work_division_code,
        work_place=data.work_place,
        description=data.description,
        workers_affected=data.workers_affected,
        collective=rules.is_collective(data.workers_affected),
        org=route.org,
        route_code=route.code,
        route_note=route.explain()[:300],
        received_at=now,
        received_on=today,
        ack_due=ack_due,
        respond_due=respond_due,
        conclude_due=conclude_due,
        due_provisional=provisional,
    )
    # A readable number: WQ, the day and the row id (unique because the id is).
    case.number = f"WQ{today:%Y%m%d}{case.pk:06d}"
    case.save(update_fields=["number"])
    return case, code


def _attach_all(case: Case, files: Iterable[Any], *, actor: Any, by_worker: bool) -> list[str]:
    """Check and store files for a request being created; the caller deletes the returned paths on failure."""
    stored: list[str] = []
    files = list(files)
    if len(files) > MAX_DOCUMENTS:
        raise ServiceError(
            "too_many_documents",
            _("A request holds at most %(n)s documents.") % {"n": MAX_DOCUMENTS},
            field="documents",
        )
    for file in files:
        content_type = check_upload(file, allowed=DOCUMENT_TYPES)
        size, digest, name = int(file.size), sha256_of(file), safe_name(getattr(file, "name", ""))
        path = store_upload(file, folder=f"rights/{case.pk}")
        stored.append(path)
        CaseDocument.objects.create(
            case=case,
            original_name=name,
            stored_path=path,
            content_type=content_type,
            size=size,
            sha256=digest,
            added_by=actor if getattr(actor, "is_authenticated", False) else None,
            by_worker=by_worker,
        )
    return stored


def _throttle_submission(mobile: str) -> None:
    """Someone who is not signed in may submit a few requests a day from one address and for one number: a
    request notifies cadres and texts the number given, so an unlimited form would flood both."""
    ip = current_request_info().ip
    phone = blind_index(mobile, purpose=FOLLOW_CODE_PURPOSE, kind="mobile") if mobile else ""
    if throttle.count("rights-ip", ip) >= settings.GONGHUI_RIGHTS_REQUESTS_PER_IP_PER_DAY or (
        phone and throttle.count("rights-phone", phone) >= settings.GONGHUI_RIGHTS_REQUESTS_PER_PHONE_PER_DAY
    ):
        log_action(actor="anonymous", action="gonghui.rights.case.throttled", result="denied")
        raise ServiceError(
            "too_many_requests",
            _(
                "Too many requests were sent from here today. Call the 12351 hotline, or sign in and try again."
            ),
            status=429,
        )
    throttle.hit("rights-ip", ip, 24 * 3600)
    if phone:
        throttle.hit("rights-phone", phone, 24 * 3600)


def case_follow(*, code: str) -> Case:
    """The request a follow-up code opens. Wrong codes are counted per IP address and refused past the hourly
    limit, so nobody can try codes until one fits."""
    from ..selectors import case_by_code

    ip = current_request_info().ip
    if throttle.count("rights-code-ip", ip) >= settings.GONGHUI_RIGHTS_CODE_FAILURES_PER_HOUR:
        raise ServiceError(
            "too_many_tries", _("Too many wrong codes. Try again in an hour."), status=429, field="code"
        )
    case = case_by_code(code=code)
    if case is None:
        throttle.hit("rights-code-ip", ip, 3600)
        raise ServiceError(
            "unknown_code", _("No request has this code. Check it and try again."), field="code", status=404
        )
    return case


def case_submit(
    *,
    user: Any,
    data: CaseInput,
    anonymous: bool = False,
    employer_org: Org | None = None,
    channel: str = Channel.PORTAL,
    documents: Iterable[Any] = (),
) -> tuple[Case, str]:
    """A worker submits a request, signed in or not, with their name or anonymously. Returns the request and
    its private follow-up code, which is shown once and kept only as a hash.

    An anonymous request keeps no name, number or account; a named one needs a way to reach the worker (the
    account or a mobile number)."""
    data = case_clean(data)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if not anonymous:
        if signed_in:
            data.contact_name = data.contact_name or getattr(user, "real_name", "")
            data.contact_mobile = data.contact_mobile or getattr(user, "mobile", "")
        if not data.contact_mobile:
            raise ServiceError(
                "contact_required",
                _("Give a mobile number so that the union can reach you, or report without your name."),
                field="contact_mobile",
            )
    if not signed_in:
        _throttle_submission(data.contact_mobile)
    route = routing.route(
        employer_org=employer_org,
        employer_uscc=data.employer_uscc,
        work_division_code=data.work_division_code,
        anonymous=anonymous,
        collective=rules.is_collective(data.workers_affected),
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            case, code = _create(
                data=data,
                route=route,
                channel=channel,
                requester=user if signed_in else None,
                anonymous=anonymous,
                employer_org=employer_org,
            )
            stored = _attach_all(case, documents, actor=None if anonymous else user, by_worker=True)
            _event(case, CaseEvent.Kind.RECEIVED, note=str(Channel(channel).label))
            _event(case, CaseEvent.Kind.ROUTED, note=case.route_note)
            _tell_union(case)
            _tell_worker(
                case,
                str(_("Your request %(number)s was received by %(org)s."))
                % {"number": case.number, "org": case.org.name},
            )
            _audit(_audit_actor(user, anonymous), "submitted", case, route=route.code, channel=channel)
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return case, code


def case_record_call(
    *,
    actor: Any,
    org: Org,
    data: CaseInput,
    anonymous: bool = False,
    employer_org: Org | None = None,
    keep: bool = False,
) -> tuple[Case, str]:
    """A 12351 hotline operator records a call on the worker's behalf. The operator received it, so the record
    names them first; with `keep` the operator's union keeps it and the operator handles it, otherwise it is
    handed over at once to the responsible union, with the reason on the record. The follow-up code goes to
    the caller by SMS when a number was given."""
    require(actor=actor, perm=PERM, org=org)
    data = case_clean(data)
    if keep:
        route = routing.Route(org, "operator")
    else:
        route = routing.route(
            employer_org=employer_org,
            employer_uscc=data.employer_uscc,
            work_division_code=data.work_division_code,
            anonymous=anonymous,
            collective=rules.is_collective(data.workers_affected),
        )
    with transaction.atomic():
        case, code = _create(
            data=data,
            route=route,
            channel=Channel.HOTLINE,
            requester=None,
            anonymous=anonymous,
            employer_org=employer_org,
        )
        _event(case, CaseEvent.Kind.RECEIVED, actor=actor, org=org, note=str(Channel.HOTLINE.label))
        if keep:
            case.handler = actor
            case.status = CaseStatus.ACKNOWLEDGED
            case.acknowledged_at = timezone.now()
            case.save(update_fields=["handler", "status", "acknowledged_at"])
            _event(case, CaseEvent.Kind.ACKNOWLEDGED, actor=actor, stage=Stage.ACK)
        else:
            _event(case, CaseEvent.Kind.ROUTED, actor=actor, note=case.route_note)
            _tell_union(case)
        if case.contact_mobile:
            send_sms(
                case.contact_mobile,
                str(_("12351: your request %(number)s was recorded. Follow it with the code %(code)s."))
                % {"number": case.number, "code": code},
            )
        _audit(actor, "recorded_call", case, route=route.code, keep=keep)
    return case, code


# --- handling ------------------------------------------------------------------------------------------------


def case_acknowledge(*, actor: Any, case: Case) -> Case:
    """A cadre of the responsible union (or above it) takes the request on and becomes its handler."""
    require(actor=actor, perm=PERM, org=case.org)
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        if case.handler_id is not None:
            if case.handler_id == actor.pk:
                return case
            raise ServiceError(
                "already_taken",
                _("%(name)s already handles this request; ask for a hand-over.")
                % {"name": getattr(case.handler, "real_name", "")},
                status=409,
            )
        case.handler = actor
        if case.acknowledged_at is None:
            case.acknowledged_at = timezone.now()
        if case.status == CaseStatus.RECEIVED:
            case.status = CaseStatus.ACKNOWLEDGED
        case.save(update_fields=["handler", "acknowledged_at", "status"])
        _event(case, CaseEvent.Kind.ACKNOWLEDGED, actor=actor, stage=Stage.ACK)
        _tell_worker(
            case,
            str(_("Your request %(number)s was taken on by %(org)s."))
            % {"number": case.number, "org": case.org.name},
        )
        _audit(actor, "acknowledged", case)
    return case


RECORD_KINDS = (CaseEvent.Kind.NOTE, CaseEvent.Kind.CONTACT, CaseEvent.Kind.RESPONSE)


def case_record(*, actor: Any, case: Case, kind: str, text: str) -> CaseEvent:
    """Add to the record: an internal note, a contact with the employer, or a reply the worker reads. The first
    reply meets the first-response deadline."""
    if kind not in RECORD_KINDS:
        raise ServiceError("invalid_kind", _("Unknown kind of entry."), field="kind")
    text = (text or "").strip()
    if not text:
        raise ServiceError("text_required", _("Write what happened."), field="text")
    with transaction.atomic():
        case = _locked(case)
        _require_handler(actor, case)
        _require_open(case)
        visible = kind == CaseEvent.Kind.RESPONSE
        stage = ""
        if visible and case.responded_at is None:
            case.responded_at = timezone.now()
            stage = Stage.RESPOND
        if visible:
            case.status = CaseStatus.HANDLING
            case.save(update_fields=["responded_at", "status"])
        event = _event(case, kind, actor=actor, note=text[:5000], visible=visible, stage=stage)
        if visible:
            _tell_worker(
                case, str(_("The union replied on your request %(number)s.")) % {"number": case.number}
            )
        _audit(actor, f"recorded.{kind}", case)
    return event


def case_document_add(*, actor: Any, case: Case, file: Any) -> CaseDocument:
    """The handler attaches a document to the record (a letter to the employer, a payment receipt)."""
    # Checked before the file is written, on the row as it is now (the caller's copy may predate a step).
    case = Case.objects.select_related("org", "org__parent").get(pk=case.pk)
    _require_handler(actor, case)
    _require_open(case)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            _require_open(case)
            if CaseDocument.objects.filter(case=case).count() >= MAX_DOCUMENTS:
                raise ServiceError(
                    "too_many_documents",
                    _("A request holds at most %(n)s documents.") % {"n": MAX_DOCUMENTS},
                    field="file",
                    status=409,
                )
            stored = _attach_all(case, [file], actor=actor, by_worker=False)
            doc = CaseDocument.objects.get(stored_path=stored[0])
            _event(case, CaseEvent.Kind.DOCUMENT, actor=actor, note=doc.original_name, visible=False)
            _audit(actor, "document_added", case, sha256=doc.sha256, size=doc.size)
    except BaseException:
        for path in stored:
            delete_stored(path)
        raise
    return doc


def case_handover(*, actor: Any, case: Case, to_user: Any, note: str) -> Case:
    """Hand the request to another cadre who may handle it at its union; on the record, with a note."""
    note = (note or "").strip()
    if not note:
        raise ServiceError("note_required", _("Say why the request is handed over."), field="note")
    with transaction.atomic():
        case = _locked(case)
        require(actor=actor, perm=PERM, org=case.org)
        _require_open(case)
        if case.handler_id not in (None, actor.pk) and not _supervises(actor, case):
            raise PermissionDenied(
                _("Only the handler of this request, or the union above, may hand it over.")
            )
        if to_user is None or not actor_can(to_user, PERM, case.org):
            raise ServiceError(
                "handler_not_allowed",
                _("That person may not handle requests of this union."),
                field="to_user",
            )
        if to_user.pk == case.handler_id:
            raise ServiceError(
                "same_handler", _("That person already handles this request."), field="to_user"
            )
        before = case.handler
        case.handler = to_user
        if case.acknowledged_at is None:
            case.acknowledged_at = timezone.now()
            case.status = CaseStatus.ACKNOWLEDGED
        case.save(update_fields=["handler", "acknowledged_at", "status"])
        _event(
            case,
            CaseEvent.Kind.HANDOVER,
            actor=actor,
            note=str(_("From %(a)s to %(b)s: %(note)s"))
            % {"a": before.real_name if before else "—", "b": to_user.real_name, "note": note},
            visible=False,
        )
        notify_users(
            [to_user.pk],
            str(_("Request %(number)s was handed to you.")) % {"number": case.number},
            _console_url(case),
        )
        _audit(actor, "handed_over", case, to_user=to_user.pk, from_user=getattr(before, "pk", None))
    return case


def case_transfer(*, actor: Any, case: Case, to_org: Org, reason: str) -> Case:
    """Transfer to another union with a reason the worker reads. The deadlines keep running from receipt: the
    worker's wait does not start again because the union changed."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("Give the reason for the transfer."), field="reason")
    with transaction.atomic():
        case = _locked(case)
        require(actor=actor, perm=PERM, org=case.org)
        _require_open(case)
        # First-contact responsibility: a colleague may not send away a request someone else handles.
        if case.handler_id not in (None, actor.pk) and not _supervises(actor, case):
            raise PermissionDenied(_("Only the handler of this request, or the union above, may do this."))
        if to_org.pk == case.org_id:
            raise ServiceError("same_union", _("The request is already with this union."), field="to_org")
        if not to_org.is_active:
            raise ServiceError("inactive_union", _("That union is no longer active."), field="to_org")
        from_org = case.org
        case.org = to_org
        case.handler = None
        case.route_code = "transferred"
        case.route_note = routing.explain("transferred", to_org, reason)[:300]
        case.escalated_to = None
        case.save(update_fields=["org", "handler", "route_code", "route_note", "escalated_to"])
        _event(case, CaseEvent.Kind.TRANSFERRED, actor=actor, org=to_org, note=case.route_note)
        notify_org(
            to_org,
            PERM,
            str(_("Request %(number)s was transferred to your union by %(org)s"))
            % {"number": case.number, "org": from_org.name},
            _console_url(case),
        )
        _tell_worker(
            case,
            str(_("Your request %(number)s is now with %(org)s."))
            % {"number": case.number, "org": to_org.name},
        )
        _audit(actor, "transferred", case, from_org=from_org.pk, to_org=to_org.pk)
    return case


def case_close(*, actor: Any, case: Case, outcome: str, summary: str) -> Case:
    """Conclude with an outcome and a summary the worker reads; the worker is asked to rate the handling."""
    if outcome not in Outcome.values or outcome == Outcome.WITHDRAWN:
        raise ServiceError("invalid_outcome", _("Choose the outcome."), field="outcome")
    summary = (summary or "").strip()
    if not summary:
        raise ServiceError("summary_required", _("Write the conclusion for the worker."), field="summary")
    with transaction.atomic():
        case = _locked(case)
        _require_handler(actor, case)
        _require_open(case)
        _close(case, outcome=outcome, summary=summary, actor=actor)
        _tell_worker(
            case,
            str(_("Your request %(number)s was closed: %(outcome)s. Please rate how it was handled."))
            % {"number": case.number, "outcome": case.get_outcome_display()},
        )
        _audit(actor, "closed", case, outcome=outcome)
    return case


def _close(case: Case, *, outcome: str, summary: str, actor: Any) -> None:
    now = timezone.now()
    case.status = CaseStatus.CLOSED
    case.outcome = outcome
    case.summary = summary[:5000]
    case.closed_at = now
    # A conclusion is also the first substantive answer if none came before.
    case.responded_at = case.responded_at or now
    case.acknowledged_at = case.acknowledged_at or now
    case.save(update_fields=["status", "outcome", "summary", "closed_at", "responded_at", "acknowledged_at"])
    _event(
        case,
        CaseEvent.Kind.CLOSED,
        actor=actor,
        note=f"{case.get_outcome_display()}: {summary}"[:5000],
        stage=Stage.CONCLUDE,
    )


# --- the worker's own steps ------------------------------------------------------------------------------------


def case_rate(*, case: Case, rating: int, comment: str = "") -> Case:
    """The worker rates a closed request, once per closing (a reopened request may be rated again)."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ServiceError("invalid_rating", _("Choose from one to five stars."), field="rating")
    with transaction.atomic():
        case = _locked(case)
        if case.status != CaseStatus.CLOSED:
            raise ServiceError("not_closed", _("A request can be rated once it is closed."), status=409)
        if case.outcome == Outcome.WITHDRAWN:
            # The worker's own withdrawal says nothing about the handling and must not count in satisfaction.
            raise ServiceError("withdrawn", _("A withdrawn request is not rated."), status=409)
        if case.rated_at is not None:
            raise ServiceError("already_rated", _("You have already rated this request."), status=409)
        case.rating = rating
        case.rating_comment = (comment or "").strip()[:300]
        case.rated_at = timezone.now()
        case.save(update_fields=["rating", "rating_comment", "rated_at"])
        _event(case, CaseEvent.Kind.RATED, note=f"{rating}/5 {case.rating_comment}".strip())
        _audit(_audit_actor(case.requester, case.anonymous), "rated", case, rating=rating)
    return case


def reopen_until(case: Case) -> datetime.date | None:
    if case.closed_at is None:
        return None
    return timezone.localdate(case.closed_at) + datetime.timedelta(days=policy_for(case.org).reopen_days)


def case_reopen(*, case: Case, reason: str) -> Case:
    """The worker reopens a closed request within the union's period (reopen_days, calendar days). It goes
    back to its handler, with a fresh conclusion deadline."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason_required", _("Say why the request should be reopened."), field="reason")
    with transaction.atomic():
        case = _locked(case)
        if case.status != CaseStatus.CLOSED:
            raise ServiceError("not_closed", _("Only a closed request can be reopened."), status=409)
        until = reopen_until(case)
        today = timezone.localdate()
        if case.outcome == Outcome.WITHDRAWN or until is None or today > until:
            raise ServiceError(
                "reopen_expired", _("This request can no longer be reopened; submit a new one."), status=409
            )
        _ack, _respond, conclude = level_for(case.org, case.category)
        due, provisional = add_workdays_checked(today, conclude)
        case.status = CaseStatus.HANDLING if case.handler_id else CaseStatus.RECEIVED
        case.outcome = ""
        case.closed_at = None
        case.conclude_due = due
        case.due_provisional = case.due_provisional or provisional
        case.reminded = rules.stage_text(rules.stage_set(case.reminded) - {Stage.CONCLUDE})
        case.escalated = rules.stage_text(rules.stage_set(case.escalated) - {Stage.CONCLUDE})
        case.reopened_count += 1
        case.rating, case.rating_comment, case.rated_at = None, "", None
        case.save()
        _event(case, CaseEvent.Kind.REOPENED, note=reason[:2000])
        if case.handler_id:
            notify_users(
                [case.handler_id],
                str(_("Request %(number)s was reopened by the worker.")) % {"number": case.number},
                _console_url(case),
            )
        else:
            notify_org(
                case.org,
                PERM,
                str(_("Request %(number)s was reopened by the worker.")) % {"number": case.number},
                _console_url(case),
            )
        _audit(_audit_actor(case.requester, case.anonymous), "reopened", case)
    return case


def case_withdraw(*, case: Case, reason: str = "") -> Case:
    """The worker withdraws an open request; it is closed with that outcome and cannot be reopened."""
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        _close(
            case,
            outcome=Outcome.WITHDRAWN,
            summary=(reason or "").strip() or str(_("Withdrawn by the worker.")),
            actor=None,
        )
        if case.handler_id:
            notify_users(
                [case.handler_id],
                str(_("Request %(number)s was withdrawn by the worker.")) % {"number": case.number},
                _console_url(case),
            )
        _audit(_audit_actor(case.requester, case.anonymous), "withdrawn", case)
    return case


# --- deadlines -------------------------------------------------------------------------------------------------


def _clock(case: Case) -> rules.CaseClock:
    done: set[str] = set()
    if case.acknowledged_at:
        done.add(Stage.ACK)
    if case.responded_at:
        done.add(Stage.RESPOND)
    if case.status == CaseStatus.CLOSED:
        done.add(Stage.CONCLUDE)
    return rules.CaseClock(
        due={Stage.ACK: case.ack_due, Stage.RESPOND: case.respond_due, Stage.CONCLUDE: case.conclude_due},
        done=done,
        reminded=rules.stage_set(case.reminded),
        escalated=rules.stage_set(case.escalated),
    )


STAGE_DUE_TEXT: dict[str, Any] = {
    Stage.ACK: _("Request %(number)s must be taken on by %(date)s"),
    Stage.RESPOND: _("Request %(number)s needs a first reply by %(date)s"),
    Stage.CONCLUDE: _("Request %(number)s must be concluded by %(date)s"),
}
STAGE_OVERDUE_TEXT: dict[str, Any] = {
    Stage.ACK: _("Request %(number)s at %(org)s was not taken on in time"),
    Stage.RESPOND: _("Request %(number)s at %(org)s had no first reply in time"),
    Stage.CONCLUDE: _("Request %(number)s at %(org)s was not concluded in time"),
}


def cases_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Remind the owner before each deadline and escalate to the parent union after it, once per stage.

    Run by the scheduler every hour; idempotent (the case's `reminded` and `escalated` stages are the memory)
    and it catches up: after downtime every stage that went overdue meanwhile is escalated on the next run."""
    today = today or timezone.localdate()
    done = {"reminded": 0, "escalated": 0}
    remind_before: dict[int, int] = {}
    # Many open requests share a deadline: count the working days to each deadline once per run, not once per
    # request and stage (each count walks the calendar and reads the entered schedule).
    between = workdays_counter()
    open_cases = (
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .exclude(escalated=rules.stage_text(set(rules.STAGES)))  # nothing left to remind or escalate
        .select_related("org", "org__parent")
        .only(
            "pk",
            "org",
            "status",
            "ack_due",
            "respond_due",
            "conclude_due",
            "acknowledged_at",
            "responded_at",
            "reminded",
            "escalated",
        )
    )
    chunk: list[Case] = []
    # Read once per run: the union each union escalates to, and who holds the permission at each union.
    targets: dict[int, Org | None] = {}
    holders: dict[int, list[int]] = {}
    for item in open_cases.iterator(chunk_size=500):
        if item.org_id not in remind_before:
            remind_before[item.org_id] = policy_for(item.org).remind_workdays_before
        if rules.stage_actions(
            _clock(item), today, remind_before=remind_before[item.org_id], workdays_between=between
        ):
            chunk.append(item)
        if len(chunk) >= SWEEP_CHUNK:
            _sweep_chunk(chunk, today, remind_before, between, done, targets, holders)
            chunk = []
    if chunk:
        _sweep_chunk(chunk, today, remind_before, between, done, targets, holders)
    return done


# A sweep acts on this many requests per transaction: the row locks, the updates, the events, the notices and
# one audit record of a chunk are written in bulk (a year with a hundred thousand requests makes hundreds of
# thousands of reminders and escalations; one at a time they cost ten queries each).
SWEEP_CHUNK = 200


class _Notices:
    """The notices of one chunk, written with one bulk insert; the holders of the permission at each union are
    read once per sweep."""

    def __init__(self, holders: dict[int, list[int]]) -> None:
        self.rows: list[Notice] = []
        self.holders = holders

    def to_users(self, user_ids: list[int], text: str, url: str) -> None:
        self.rows.extend(Notice(user_id=pk, text=text[:300], url=url) for pk in user_ids)

    def to_org(self, org: Org, text: str, url: str) -> None:
        if org.pk not in self.holders:
            self.holders[org.pk] = holder_ids(org, PERM)
        self.to_users(self.holders[org.pk], text, url)

    def flush(self) -> None:
        Notice.objects.bulk_create(self.rows)
        self.rows = []


def _sweep_chunk(
    items: list[Case],
    today: datetime.date,
    remind_before: dict[int, int],
    between: Any,
    done: dict[str, int],
    targets: dict[int, Org | None],
    holders: dict[int, list[int]],
) -> None:
    notices = _Notices(holders)
    with transaction.atomic():
        # Locked afresh: another sweep or a handler may have acted since the rows were read.
        fresh = (
            Case.objects.select_for_update(of=("self",))
            .select_related("org", "org__parent")
            .filter(pk__in=[c.pk for c in items])
            .order_by("pk")
        )
        changed: list[Case] = []
        events: list[CaseEvent] = []
        acted: list[list[Any]] = []  # [request id, "remind" | "escalate", stage, union escalated to]
        now = timezone.now()
        for case in fresh:
            actions = rules.stage_actions(
                _clock(case), today, remind_before=remind_before[case.org_id], workdays_between=between
            )
            for stage, action in actions:
                url = _console_url(case)
                if action == "escalate":
                    if case.org_id not in targets:
                        targets[case.org_id] = _escalation_target(case.org)
                    target = targets[case.org_id]
                    case.escalated = rules.stage_text(rules.stage_set(case.escalated) | {stage})
                    case.escalated_to = target or case.escalated_to
                    text = str(STAGE_OVERDUE_TEXT[stage]) % {"number": case.number, "org": case.org.name}
                    if target is not None:
                        notices.to_org(target, text, url)
                    event_org, kind, visible = target or case.org, CaseEvent.Kind.ESCALATED, True
                    data: dict[str, Any] = {"stage": stage, "to": getattr(target, "pk", None)}
                    done["escalated"] += 1
                else:
                    case.reminded = rules.stage_text(rules.stage_set(case.reminded) | {stage})
                    text = str(STAGE_DUE_TEXT[stage]) % {
                        "number": case.number,
                        "date": case.due_for(stage).isoformat(),
                    }
                    event_org, kind, visible = case.org, CaseEvent.Kind.REMINDED, False
                    data = {"stage": stage}
                    done["reminded"] += 1
                if case.handler_id:
                    notices.to_users([case.handler_id], text, url)
                else:
                    notices.to_org(case.org, text, url)
                events.append(
                    CaseEvent(
                        case=case, kind=kind, at=now, org=event_org, stage=stage, visible_to_worker=visible
                    )
                )
                acted.append([case.pk, action, *data.values()])
            if actions:
                changed.append(case)
        Case.objects.bulk_update(changed, ["reminded", "escalated", "escalated_to"])
        CaseEvent.objects.bulk_create(events)
        notices.flush()
        # One audit record per chunk (decisions.md §14: bulk paths audit per batch); every reminder and
        # escalation is also an event on its request.
        if acted:
            log_action(
                actor="system",
                action="gonghui.rights.case.swept",
                data={
                    "day": today.isoformat(),
                    "reminded": sum(1 for a in acted if a[1] == "remind"),
                    "escalated": sum(1 for a in acted if a[1] == "escalate"),
                    "actions": acted,
                },
            )


def _escalation_target(org: Org) -> Org | None:
    """The nearest union above `org` where someone may handle requests: a street union often has no case
    handler of its own, and an escalation that reaches nobody is no escalation. The direct parent when no
    union above has one (the notice then waits for whoever is given the role). One query."""
    from gonghui.orgs.models import RoleAssignment
    from gonghui.orgs.rules import roles_with

    above = org.ancestor_ids()
    if not above:
        return None
    staffed = set(
        RoleAssignment.objects.filter(
            org_id__in=above, role__in=roles_with(PERM), user__is_active=True
        ).values_list("org_id", flat=True)
    )
    target_id = next((pk for pk in reversed(above) if pk in staffed), above[-1])
    return Org.objects.filter(pk=target_id).first()


# --- rules as data -----------------------------------------------------------------------------------------------


def service_level_set(
    *, actor: Any, org: Org, category: str, ack_workdays: int, respond_workdays: int, conclude_workdays: int
) -> ServiceLevel:
    """A union sets its service level for one category, for itself and the unions below it."""
    require(actor=actor, perm="org.change", org=org)
    if category not in Category.values:
        raise ServiceError("invalid_category", _("Choose a category."), field="category")
    if not (1 <= ack_workdays <= respond_workdays <= conclude_workdays <= 120):
        raise ServiceError(
            "invalid_levels",
            _("The days must grow: acknowledge ≤ first response ≤ conclusion, from 1 to 120 working days."),
            field="conclude_workdays",
        )
    with transaction.atomic():
        level, _created = ServiceLevel.objects.update_or_create(
            org=org,
            category=category,
            defaults={
                "ack_workdays": ack_workdays,
                "respond_workdays": respond_workdays,
                "conclude_workdays": conclude_workdays,
            },
        )
        log_action(
            actor=actor,
            action="gonghui.rights.level.set",
            obj=level,
            org_path=org.path,
            data={"category": category, "days": [ack_workdays, respond_workdays, conclude_workdays]},
        )
    return level


def rights_policy_set(*, actor: Any, org: Org, remind_workdays_before: int, reopen_days: int) -> RightsPolicy:
    require(actor=actor, perm="org.change", org=org)
    if not 0 <= remind_workdays_before <= 10:
        raise ServiceError(
            "invalid_remind",
            _("Remind between 0 and 10 working days before."),
            field="remind_workdays_before",
        )
    if not 0 <= reopen_days <= 365:
        raise ServiceError(
            "invalid_reopen", _("The reopening period is from 0 to 365 days."), field="reopen_days"
        )
    with transaction.atomic():
        policy, _created = RightsPolicy.objects.update_or_create(
            org=org, defaults={"remind_workdays_before": remind_workdays_before, "reopen_days": reopen_days}
        )
        log_action(
            actor=actor,
            action="gonghui.rights.policy.set",
            obj=policy,
            org_path=org.path,
            data={"remind": remind_workdays_before, "reopen_days": reopen_days},
        )
    return policy


def case_document_open(*, actor: Any, case_id: int, document_id: int) -> tuple[CaseDocument, Any]:
    """Open a request's document for a cadre in scope and audit the download; the caller closes the file."""
    from gonghui.core.uploads import open_audited

    from ..selectors import case_document_get

    doc = case_document_get(actor=actor, case_id=case_id, document_id=document_id)
    handle = open_audited(
        doc.stored_path,
        actor=actor,
        action="gonghui.rights.case.document_downloaded",
        obj=doc,
        org_path=doc.case.org.path,
        data={"case": doc.case_id, "sha256": doc.sha256},
    )
    return doc, handle
