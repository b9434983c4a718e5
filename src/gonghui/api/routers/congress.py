"""The congress API."""

from ninja import Router

router = Router(tags=["congress"])
