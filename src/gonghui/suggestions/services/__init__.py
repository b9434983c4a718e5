"""Writes of rationalisation suggestions (合理化建议)."""

from .suggestions import (
    PERM,
    SuggestionInput,
    active_membership,
    grassroots_of,
    suggestion_clean,
    suggestion_decide,
    suggestion_evaluate,
    suggestion_from_proposal,
    suggestion_implement,
    suggestion_note,
    suggestion_record,
    suggestion_reward,
    suggestion_submit,
)

__all__ = [
    "PERM",
    "SuggestionInput",
    "active_membership",
    "grassroots_of",
    "suggestion_clean",
    "suggestion_decide",
    "suggestion_evaluate",
    "suggestion_from_proposal",
    "suggestion_implement",
    "suggestion_note",
    "suggestion_record",
    "suggestion_reward",
    "suggestion_submit",
]
