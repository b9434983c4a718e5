"""Field lookups the ORM lacks, registered on every field when the core app is ready."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Lookup


class AnyOf(Lookup):  # type: ignore[type-arg]
    """`field__any=values`: on PostgreSQL `field = ANY(%s)` with the values as one array parameter, elsewhere
    `IN (...)`. For the thousands of values of a bulk import's batch, `__in` prepares and binds one placeholder
    per value, which took longer than the query itself (a fifth of a member import's dry run in its main
    process, bench/RESULTS.md 2026-11-28). The values are compared as given: pass what the column holds."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def register() -> None:
    Field.register_lookup(AnyOf)
