"""Forms of the console's hardship-aid pages (console/views/aid.py). They check shape only; the rules (caps,
double payment, chain) are the services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.aid.models import Category, PayMethod, Relation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def money(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=10, decimal_places=2, min_value=Decimal("0"), required=required
    )


HOUSEHOLD_ROWS = 4


class FileForm(forms.Form):
    member_number = forms.CharField(label=_("Member number"), max_length=16)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    situation = forms.CharField(
        label=_("Situation"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    worker_income = money(_("The worker's monthly income (yuan)"))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for i in range(HOUSEHOLD_ROWS):
            self.fields[f"h{i}_name"] = forms.CharField(
                label=_("Household member"), max_length=50, required=False
            )
            self.fields[f"h{i}_relation"] = forms.ChoiceField(
                label=_("Relation"), choices=[c for c in Relation.choices if c[0] != "self"], required=False
            )
            self.fields[f"h{i}_income"] = money(_("Monthly income (yuan)"), required=False)
            self.fields[f"h{i}_id"] = forms.CharField(label=_("ID number"), max_length=18, required=False)

    def household_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"h{i}_{p}"] for p in ("name", "relation", "income", "id")] for i in range(HOUSEHOLD_ROWS)
        ]


class FileReviewForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    monthly_income = money(_("Household monthly income (yuan)"))
    household_size = forms.IntegerField(label=_("Household size"), min_value=1, max_value=20)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ApproveForm(forms.Form):
    amount = money(_("Amount approved (yuan)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Finding"),
        choices=[("0", _("Dismissed: the aid stands")), ("1", _("Upheld: the aid is withdrawn"))],
        coerce=lambda v: v == "1",
    )
    finding = forms.CharField(label=_("What was found"), max_length=300)


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=PayMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reference = forms.CharField(label=_("Bank reference"), max_length=60, required=False)


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("Objection"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PolicyForm(forms.Form):
    cap_living = money(_("living aid per household per year (yuan)"))
    cap_medical = money(_("medical aid per household per year (yuan)"))
    cap_education = money(_("education aid per household per year (yuan)"))
    cap_holiday = money(_("holiday visits per household per year (yuan)"))
    single_illness_once_a_year = forms.BooleanField(
        label=_("the same illness is aided once a year"), required=False
    )
    no_cash = forms.BooleanField(label=_("no cash or shopping cards"), required=False)
    income_threshold = money(_("local monthly income threshold per person (yuan)"))
    announce_workdays = forms.IntegerField(
        label=_("announcement period (working days)"), min_value=1, max_value=30
    )
    review_months = forms.IntegerField(
        label=_("files are reviewed every (months)"), min_value=1, max_value=36
    )
    levels = forms.CharField(
        label=_("Review levels, bottom up"),
        max_length=200,
        help_text=_("Kinds of union separated by commas, e.g. grassroots, district, city."),
    )
