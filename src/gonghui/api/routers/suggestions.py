"""The suggestions API."""

from ninja import Router

router = Router(tags=["suggestions"])
