"""Materialized-path arithmetic. Pure functions, no queries."""

from __future__ import annotations

from django.db.models import Q

from .models import SEGMENT


def segment(org_id: int) -> str:
    return str(org_id).zfill(SEGMENT)


def successor(path: str) -> str:
    """The smallest path greater than every path in the subtree of `path`.

    Paths are digit strings, so incrementing the number gives the exclusive upper bound of the range;
    the subtree query is then `path >= P AND path < successor(P)`, an index range scan on any backend.
    """
    return str(int(path) + 1).zfill(len(path))


def subtree_q(path: str, field: str = "path") -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": successor(path)})


def ids_from_path(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path), SEGMENT)]


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def minimal_cover(paths: list[str]) -> list[str]:
    """Drop every path that lies inside another one in the list."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result
