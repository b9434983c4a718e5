"""The recuperation API."""

from ninja import Router

router = Router(tags=["recuperation"])
