"""The stations API."""

from ninja import Router

router = Router(tags=["stations"])
