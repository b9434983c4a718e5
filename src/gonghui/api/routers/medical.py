"""The medical API."""

from ninja import Router

router = Router(tags=["medical"])
