"""Pluggable SMS senders. settings.GONGHUI_SMS_SENDER names the class; a provider adapter implements send()."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import ServiceError
from gonghui.core.masking import mask_mobile

logger = logging.getLogger("gonghui.sms")


class SmsSender(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class LoggingSender:
    """For the demo and development: writes the message to the log instead of sending it."""

    outbox: list[tuple[str, str]] = []  # the last messages, for tests and the demo console

    def send(self, mobile: str, text: str) -> None:
        LoggingSender.outbox.append((mobile, text))
        del LoggingSender.outbox[:-50]
        # The number is masked: logs never carry personal data (the demo only needs the code to be visible).
        logger.info("SMS to %s: %s", mask_mobile(mobile), text)


def get_sender() -> SmsSender:
    path = settings.GONGHUI_SMS_SENDER
    if not path:
        raise ServiceError(
            "sms_not_configured",
            _("SMS login is not available: no SMS sender is configured. Log in with your password."),
            status=503,
        )
    sender: SmsSender = import_string(path)()
    return sender
