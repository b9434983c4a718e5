"""Cadre forms of mutual medical aid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.medical.models import ClaimKind, ClaimStatus
from gonghui.portal.forms_medical import DATE, ClaimForm


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("open", _("Waiting")), ("", _("All")), *ClaimStatus.choices],
    )
    kind = forms.ChoiceField(required=False, choices=[("", _("Every type")), *ClaimKind.choices])


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to approve the schedule's payout."),
    )
    reason = forms.CharField(label=_("Reason for a different amount"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    payment_ref = forms.CharField(label=_("Payment reference"), max_length=60)
    paid_on = forms.DateField(label=_("Paid out on"), widget=DATE, required=False)


class EnrolImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet of member numbers (.xlsx, first column)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ClaimOnBehalfForm(ClaimForm):
    member_number = forms.CharField(label=_("Member number"), max_length=16)

    field_order = ["member_number"]


def _lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


class PlanForm(forms.Form):
    """A plan with its schedule; the lists are typed one entry a line, checked by the service."""

    year = forms.IntegerField(label=_("Plan year"), min_value=2000, max_value=2100)
    code = forms.SlugField(label=_("Plan code"), max_length=20, initial="basic")
    name = forms.CharField(label=_("Plan name"), max_length=80)
    contribution = forms.DecimalField(
        label=_("Contribution per person (yuan)"), max_digits=8, decimal_places=2
    )
    enrol_opens = forms.DateField(label=_("Enrolment opens"), widget=DATE)
    enrol_closes = forms.DateField(label=_("Enrolment closes"), widget=DATE)
    cover_starts = forms.DateField(label=_("Cover starts"), widget=DATE)
    cover_ends = forms.DateField(label=_("Cover ends"), widget=DATE)
    waiting_days = forms.IntegerField(
        label=_("Waiting period for late enrolees (days)"), min_value=0, initial=90
    )
    claim_deadline_days = forms.IntegerField(
        label=_("Claim within (days after discharge)"), min_value=1, initial=180
    )
    hospital_deductible = forms.DecimalField(
        label=_("Hospital deductible (yuan)"), max_digits=10, decimal_places=2, initial=1000
    )
    hospital_tiers = forms.CharField(
        label=_("Rate tiers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="10000 0.5\n30000 0.6\n- 0.7",
        help_text=_(
            "One a line: the upper bound of the bracket above the deductible and the rate; '-' for none."
        ),
    )
    per_stay_cap = forms.DecimalField(
        label=_("Cap per hospital stay (yuan)"), max_digits=10, decimal_places=2, initial=20000
    )
    annual_cap = forms.DecimalField(
        label=_("Annual cap per person (yuan)"), max_digits=10, decimal_places=2, initial=50000
    )
    illnesses = forms.CharField(
        label=_("Serious illnesses"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One a line: code, name and sum, separated by spaces."),
    )
    accident_cover_for_new_employment = forms.BooleanField(
        label=_("Free accident cover for new-employment members"), required=False
    )
    accident_benefits = forms.CharField(
        label=_("Accident benefits"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One a line: code, name and sum, separated by spaces."),
    )

    def clean_hospital_tiers(self) -> list[list[str | None]]:
        rows = _lines(self.cleaned_data["hospital_tiers"])
        if any(len(r) != 2 for r in rows):
            raise forms.ValidationError(_("Each line needs an upper bound (or '-') and a rate."))
        return [[None if r[0] == "-" else r[0], r[1]] for r in rows]

    def _items(self, key: str) -> list[dict[str, str]]:
        rows = _lines(self.cleaned_data[key])
        if any(len(r) != 3 for r in rows):
            raise forms.ValidationError(_("Each line needs a code, a name and a sum."))
        return [{"code": r[0], "name": r[1], "amount": r[2]} for r in rows]

    def clean_illnesses(self) -> list[dict[str, str]]:
        return self._items("illnesses")

    def clean_accident_benefits(self) -> list[dict[str, str]]:
        return self._items("accident_benefits")

    @staticmethod
    def initial_from(plan: Any) -> dict[str, Any]:
        """The form's initial values from a plan, the lists as lines."""
        values = {f: getattr(plan, f) for f in PlanForm.base_fields if f not in _LIST_FIELDS}
        values["hospital_tiers"] = "\n".join(f"{u or '-'} {r}" for u, r in plan.hospital_tiers)
        values["illnesses"] = "\n".join(f"{i['code']} {i['name']} {i['amount']}" for i in plan.illnesses)
        values["accident_benefits"] = "\n".join(
            f"{i['code']} {i['name']} {i['amount']}" for i in plan.accident_benefits
        )
        return values


_LIST_FIELDS = ("hospital_tiers", "illnesses", "accident_benefits")
