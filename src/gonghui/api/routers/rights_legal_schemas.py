"""Schemas of the legal-aid and mediation API (api/routers/rights_legal.py).

Money is a string with two decimals ("18000.00"), never a float. A party's phone number is masked; the full
number is used only to send the arbitration notice. Labels are given beside codes, in the caller's language.
"""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from .member_schemas import OrgRef

# --- input ---------------------------------------------------------------------------------------------------

MAX_MONEY = Decimal("9999999999.99")


def money_field(default: Decimal | None = None, *, required: bool = False) -> Any:
    """A sum in yuan, zero or more, to the fen."""
    if required:
        return Field(ge=0, le=MAX_MONEY, max_digits=12, decimal_places=2)
    return Field(default=default, ge=0, le=MAX_MONEY, max_digits=12, decimal_places=2)


class LawyerIn(Schema):
    name: str = Field(max_length=100)
    firm: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30)
    specialties: str = Field(default="", max_length=300)


class LawyerCreateIn(LawyerIn):
    org_id: int = Field(
        description="The union whose roster the lawyer joins (the unions below it may use it)"
    )


class LegalOpenIn(Schema):
    case_id: int = Field(description="The request that becomes a legal-aid case")
    amount_claimed: Decimal = money_field(Decimal(0))
    lawyer_id: int | None = Field(default=None, description="Assign a lawyer at once")
    note: str = Field(default="", max_length=2000)


class AssignIn(Schema):
    lawyer_id: int
    note: str = Field(default="", max_length=2000)


class LegalRecordIn(Schema):
    kind: str = Field(description="consultation, drafting, hearing or note")
    on_date: datetime.date
    note: str = Field(max_length=5000)


class StageIn(Schema):
    stage: str = Field(
        description="consultation, arbitration, first_instance, second_instance or enforcement"
    )
    note: str = Field(default="", max_length=2000, description="Required to go back to an earlier stage")


class LegalCloseIn(Schema):
    result: str = Field(description="won, partly_won, settled, lost or withdrawn")
    amount_recovered: Decimal = money_field(required=True)
    amount_claimed: Decimal | None = money_field(None)
    note: str = Field(default="", max_length=2000)


class CommitteeIn(Schema):
    org_id: int
    name: str = Field(max_length=200)
    kind: str = Field(description="enterprise or regional")
    warn_days_before: int = Field(default=2, description="Warn this many days before the 15-day limit (0-14)")


class CommitteeUpdateIn(Schema):
    name: str = Field(max_length=200)
    warn_days_before: int
    active: bool = True


class MediatorIn(Schema):
    name: str = Field(max_length=100)


class PartyIn(Schema):
    side: str = Field(description="worker or employer")
    name: str = Field(max_length=200)
    uscc: str = Field(default="", max_length=30, description="The employer's unified social credit code")
    representative: str = Field(default="", max_length=100)
    phone: str = Field(
        default="", max_length=30, description="A mobile number receives the arbitration notice"
    )


class MediationIn(Schema):
    committee_id: int
    case_id: int | None = Field(default=None, description="The request the mediation comes from, if any")
    mediator_id: int | None = None
    subject: str = Field(max_length=20000)
    received_on: datetime.date | None = Field(
        default=None, description="Today when left out; never in the future"
    )
    known_on: datetime.date = Field(
        description="When the worker knew of the infringement (at most received_on)"
    )
    parties: list[PartyIn] = Field(description="At least one worker and one employer", max_length=200)


class MediatorSetIn(Schema):
    mediator_id: int


class SessionIn(Schema):
    held_on: datetime.date
    place: str = Field(default="", max_length=200)
    notes: str = Field(max_length=5000)


class AgreementIn(Schema):
    terms: str = Field(max_length=20000)
    amount: Decimal = money_field(Decimal(0))


class SignIn(Schema):
    signer: str = Field(description="worker, employer or mediator")


class NoteIn(Schema):
    note: str = Field(default="", max_length=2000)


# --- output --------------------------------------------------------------------------------------------------


class LawyerOut(Schema):
    id: int
    org: OrgRef
    name: str
    firm: str
    phone: str
    specialties: str
    active: bool


class EntryOut(Schema):
    kind: str
    kind_label: str
    stage: str
    at: datetime.datetime
    on_date: datetime.date | None
    actor_name: str | None
    note: str


class LegalAidOut(Schema):
    id: int
    case_id: int
    case_number: str
    org: OrgRef
    employer_name: str
    lawyer: LawyerOut | None
    stage: str
    stage_label: str
    opened_at: datetime.datetime
    amount_claimed: str
    amount_recovered: str
    result: str
    result_label: str
    closed_at: datetime.datetime | None


class LegalAidDetailOut(LegalAidOut):
    entries: list[EntryOut]


class MediatorOut(Schema):
    id: int
    name: str
    active: bool


class CommitteeOut(Schema):
    id: int
    org: OrgRef
    name: str
    kind: str
    kind_label: str
    warn_days_before: int
    active: bool
    mediators: list[MediatorOut]


class PartyOut(Schema):
    side: str
    name: str
    uscc: str
    representative: str
    phone_masked: str


class SessionOut(Schema):
    held_on: datetime.date
    place: str
    notes: str
    recorded_by: str


class MediationOut(Schema):
    id: int
    number: str
    committee: OrgRef = Field(description="The committee (its id and name)")
    org: OrgRef = Field(description="The committee's union")
    case_id: int | None
    mediator: MediatorOut | None
    status: str
    status_label: str
    received_on: datetime.date
    due_on: datetime.date = Field(description="The 15-day limit: received_on + 15 calendar days (art. 14)")
    days_left: int = Field(description="Calendar days to due_on; negative once it has passed")
    known_on: datetime.date
    limitation_on: datetime.date = Field(
        description="The plain last day to apply for arbitration (art. 27), unless interrupted or suspended"
    )
    warned_at: datetime.datetime | None
    arbitration_told_at: datetime.datetime | None
    ended_at: datetime.datetime | None


class MediationDetailOut(MediationOut):
    subject: str
    parties: list[PartyOut]
    sessions: list[SessionOut]
    terms: str
    amount: str
    agreed_on: datetime.date | None
    worker_signed_at: datetime.datetime | None
    employer_signed_at: datetime.datetime | None
    mediator_signed_at: datetime.datetime | None
    end_note: str
    arbitration_notice: str | None = Field(
        description="What the parties were told, once there is no agreement"
    )
