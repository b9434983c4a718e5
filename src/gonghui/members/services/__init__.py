"""Every write to membership data. Keyword-only, typed, audited; the roll-up counters change in the same
transaction as the members they count (members.counters).

A package by sub-domain: people (names, the Person, member numbers, shared helpers), applications, members,
transfers, lapse, dues (and the member policy), deadlines. Its modules import from each other directly; this
module only re-exports their names, so that `from gonghui.members.services import X` and `services.X` work."""

from .applications import (
    BatchResult,
    applicant_verify,
    application_approve,
    application_join,
    application_reject,
    application_reroute,
    application_submit,
    application_withdraw,
    applications_approve_batch,
    notices_mark_read,
)
from .deadlines import deadlines_sweep
from .dues import (
    dues_for,
    dues_month_set,
    dues_payment_record,
    dues_wage_set,
    member_policy_set,
    parse_money,
)
from .lapse import lapse_confirm, lapse_dismiss, lapse_sweep
from .members import (
    EDITABLE,
    member_create,
    member_participation_record,
    member_status_change,
    member_update,
)
from .people import (
    NAME_MAX,
    Person,
    clean_name,
    member_numbers_reserve,
    name_keys,
    person_clean,
)
from .transfers import transfer_accept, transfer_cancel, transfer_reject, transfer_start

__all__ = [
    "EDITABLE",
    "NAME_MAX",
    "BatchResult",
    "Person",
    "applicant_verify",
    "application_approve",
    "application_join",
    "application_reject",
    "application_reroute",
    "application_submit",
    "application_withdraw",
    "applications_approve_batch",
    "clean_name",
    "deadlines_sweep",
    "dues_for",
    "dues_month_set",
    "dues_payment_record",
    "dues_wage_set",
    "lapse_confirm",
    "lapse_dismiss",
    "lapse_sweep",
    "member_create",
    "member_numbers_reserve",
    "member_participation_record",
    "member_policy_set",
    "member_status_change",
    "member_update",
    "name_keys",
    "notices_mark_read",
    "parse_money",
    "person_clean",
    "transfer_accept",
    "transfer_cancel",
    "transfer_reject",
    "transfer_start",
]
