"""The legal-aid and mediation panel of the request page: its context comes from one helper of the view
module, so the request page needs one include and nothing else."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def case_legal(context: Any, case: Any) -> dict[str, Any]:
    from gonghui.console.views.rights_legal import case_legal_context

    return case_legal_context(actor=context["request"].user, case=case)
