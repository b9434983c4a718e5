"""The benefits API."""

from ninja import Router

router = Router(tags=["benefits"])
