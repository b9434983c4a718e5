"""Writes of congress proposals (提案)."""

from .proposals import (
    MANAGE,
    ProposalInput,
    department_add,
    department_update,
    proposal_accept,
    proposal_answer,
    proposal_assign,
    proposal_clean,
    proposal_convert,
    proposal_cosign,
    proposal_rate,
    proposal_reassign,
    proposal_reject,
    proposal_submit,
    proposal_withdraw,
    proposals_sweep,
)
from .report import proposal_report_publish, report_rows, report_since

__all__ = [
    "MANAGE",
    "ProposalInput",
    "department_add",
    "department_update",
    "proposal_accept",
    "proposal_answer",
    "proposal_assign",
    "proposal_clean",
    "proposal_convert",
    "proposal_cosign",
    "proposal_rate",
    "proposal_reassign",
    "proposal_reject",
    "proposal_report_publish",
    "proposal_submit",
    "proposal_withdraw",
    "proposals_sweep",
    "report_rows",
    "report_since",
]
