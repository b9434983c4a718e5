"""What a worker's request page shows of legal aid and mediation (its one include reads it from here)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def worker_legal(case: Any) -> dict[str, Any]:
    from gonghui.rights.selectors_legal import worker_legal_context

    return worker_legal_context(case=case)
