"""Dues and the membership rules as data: amounts (parse_money, dues_for), a month's wage base and payment, and
a union's member policy."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.orgs.models import Org

from ..models import DuesMonth, Member, MemberPolicy
from ..rules import DUES_PAYING, dues_amount, month_start
from ..selectors import POLICY_FIELDS, Policy, policy_for
from .people import _require

# --- dues --------------------------------------------------------------------------------------------------


def parse_money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(
            str(value).replace(",", "").replace("，", "").replace("¥", "").replace("元", "").strip()
        )
    except (InvalidOperation, ValueError):
        raise ServiceError(
            "invalid_amount", _("Give an amount in yuan, such as 6500.00."), field=field
        ) from None
    if amount < 0 or amount >= Decimal("1e9") or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError("invalid_amount", _("Give an amount in yuan, such as 6500.00."), field=field)
    return amount


def due_under(policy: Policy, status: str, wage: Decimal) -> tuple[Decimal, bool]:
    """Dues for a wage base at the policy's rate and rounding, and whether they are waived (statuses that pay
    none: retained members). Bulk paths read each union's policy once and call this directly."""
    if status not in DUES_PAYING:
        return Decimal("0.00"), True
    return dues_amount(wage, permille=Decimal(policy.dues_permille), rounding=policy.dues_rounding), False


def dues_for(member: Member, wage: Decimal) -> tuple[Decimal, bool]:
    """The dues for a wage base under the member's union's rules, and whether they are waived."""
    return due_under(policy_for(member.org), member.status, wage)


def dues_wage_set(*, actor: Any, member: Member, month: datetime.date, wage_base: Any) -> DuesMonth:
    _require(actor, "dues.manage", member.org)
    wage = parse_money(wage_base, field="wage_base")
    month = month_start(month)
    with transaction.atomic():
        row, _created = DuesMonth.objects.select_for_update().get_or_create(
            member=member, month=month, defaults={"org": member.org}
        )
        due, waived = dues_for(member, wage)
        row.wage_base, row.due, row.waived, row.org = wage, due, waived, member.org
        row.save()
        log_action(actor=actor, action="gonghui.dues.wage_set", obj=member, data={"month": month.isoformat()})
    return row


def dues_payment_record(
    *, actor: Any, member: Member, month: datetime.date, amount: Any, paid_on: datetime.date | None = None
) -> DuesMonth:
    """Record what was paid for a month. The amount replaces the earlier one, so recording twice never doubles."""
    _require(actor, "dues.manage", member.org)
    paid = parse_money(amount, field="amount")
    month = month_start(month)
    with transaction.atomic():
        row, _created = DuesMonth.objects.select_for_update().get_or_create(
            member=member, month=month, defaults={"org": member.org}
        )
        row.paid, row.paid_on = paid, paid_on or timezone.localdate()
        row.save()
        log_action(
            actor=actor, action="gonghui.dues.payment_recorded", obj=member, data={"month": month.isoformat()}
        )
    return row


# --- rules as data -----------------------------------------------------------------------------------------


def member_policy_set(*, actor: Any, org: Org, **values: Any) -> MemberPolicy:
    _require(actor, "org.change", org)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError("invalid_field", _("Unknown setting."), details={"fields": sorted(unknown)})
    for name in ("review_workdays", "transfer_workdays"):
        if name in values and not (1 <= int(values[name]) <= 30):
            raise ServiceError("invalid_value", _("A deadline is between 1 and 30 working days."), field=name)
    if "dues_rounding" in values and values["dues_rounding"] not in MemberPolicy.Rounding.values:
        raise ServiceError("invalid_value", _("Unknown rounding."), field="dues_rounding")
    with transaction.atomic():
        policy, _created = MemberPolicy.objects.get_or_create(org=org)
        for name, value in values.items():
            setattr(policy, name, value)
        policy.full_clean()
        policy.save()
        log_action(
            actor=actor,
            action="gonghui.member.policy_set",
            obj=org,
            data={k: str(v) for k, v in values.items()},
        )
    return policy


# --- one-step form (the API) ------------------------------------------------------------------------------


def dues_month_set(
    *,
    actor: Any,
    member: Member,
    month: datetime.date,
    wage_base: Any = None,
    paid: Any = None,
    paid_on: datetime.date | None = None,
) -> DuesMonth:
    """Set one month's wage base, its payment, or both, in one transaction."""
    if wage_base is None and paid is None:
        raise ServiceError("nothing_to_set", _("Give a wage base or an amount paid."), field="wage_base")
    if paid_on is not None and paid is None:
        raise ServiceError("amount_required", _("Give the amount paid on that day."), field="paid")
    _require(actor, "dues.manage", member.org)
    with transaction.atomic():
        row = None
        if wage_base is not None:
            row = dues_wage_set(actor=actor, member=member, month=month, wage_base=wage_base)
        if paid is not None:
            row = dues_payment_record(actor=actor, member=member, month=month, amount=paid, paid_on=paid_on)
    assert row is not None
    return row
