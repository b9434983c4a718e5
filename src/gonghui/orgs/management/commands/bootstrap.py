from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gonghui.accounts.models import User
from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.identifiers import clean_mobile
from gonghui.orgs.models import Org, OrgKind, Role, RoleAssignment
from gonghui.orgs.services import org_create_root


class Command(BaseCommand):
    help = (
        "Start a production tree: create the national federation (once) and make one person its administrator. "
        "The password is read from GONGHUI_BOOTSTRAP_PASSWORD or asked for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", default="中华全国总工会", help="Name of the root union.")
        parser.add_argument("--code", default="100000", help="Org code of the root union.")
        parser.add_argument("--admin-mobile", required=True)
        parser.add_argument("--admin-name", required=True)

    def handle(
        self, *args: Any, name: str, code: str, admin_mobile: str, admin_name: str, **opts: Any
    ) -> None:
        try:
            mobile = clean_mobile(admin_mobile)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            root = Org.objects.filter(kind=OrgKind.NATIONAL).first() or org_create_root(name=name, code=code)
            user = User.objects.filter(blind_q(User, "mobile", mobile)).first()
            if user is None:
                password = os.environ.get("GONGHUI_BOOTSTRAP_PASSWORD") or getpass.getpass("Password: ")
                user = User.objects.create_user(mobile, password, real_name=admin_name)
                log_action(actor="bootstrap", action="gonghui.account.created", obj=user)
            _, created = RoleAssignment.objects.get_or_create(user=user, org=root, role=Role.ORG_ADMIN)
            if created:
                log_action(actor="bootstrap", action="gonghui.role.granted", obj=root, data={"user": user.pk})
        self.stdout.write(self.style.SUCCESS(f"{root.name} is administered by {user.real_name}."))
