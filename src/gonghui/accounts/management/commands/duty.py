from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.models import AdminDuty
from gonghui.accounts.services import account_by_mobile, admin_duty_assign
from gonghui.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Give an account one of the three administrator duties (system_admin, security_admin, audit_admin), or "
        "take it away with --duty ''. For the first security administrator; after that they assign duties in "
        "the console."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mobile", required=True)
        parser.add_argument("--duty", required=True, choices=[*AdminDuty.values, ""])

    def handle(self, *args: Any, mobile: str, duty: str, **opts: Any) -> None:
        try:
            user = account_by_mobile(mobile)
            if user is None:
                raise CommandError("No account uses this mobile number.")
            admin_duty_assign(actor="bootstrap", user=user, duty=duty)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{user.real_name}: {duty or 'no duty'}"))
