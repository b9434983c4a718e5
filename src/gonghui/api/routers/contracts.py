"""The contracts API."""

from ninja import Router

router = Router(tags=["contracts"])
