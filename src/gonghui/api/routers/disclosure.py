"""The disclosure API."""

from ninja import Router

router = Router(tags=["disclosure"])
