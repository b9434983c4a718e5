"""Counting events per key in a time window, in the cache (Redis in production, so all web workers share it)."""

from __future__ import annotations

from django.core.cache import cache


def _key(kind: str, subject: str) -> str:
    return f"gonghui:throttle:{kind}:{subject}"


def count(kind: str, subject: str | None) -> int:
    if not subject:
        return 0
    return int(cache.get(_key(kind, subject), 0))


def hit(kind: str, subject: str | None, window_seconds: int) -> int:
    """Add one event; the window starts with the first event and is not extended by later ones."""
    if not subject:
        return 0
    key = _key(kind, subject)
    if cache.add(key, 1, timeout=window_seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window_seconds)
        return 1


def clear(kind: str, subject: str) -> None:
    cache.delete(_key(kind, subject))
