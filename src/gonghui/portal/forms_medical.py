"""Forms of mutual medical aid shared by the portal and the console: a claim with its documents, self
enrolment, more documents. The rules are checked by the services; these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.medical.models import ClaimDocument, ClaimKind, Plan

from .forms import MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"})


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=10, decimal_places=2, min_value=0)


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("Claim type"), choices=ClaimKind.choices)
    event_on = forms.DateField(label=_("Admitted, diagnosed or accident on"), widget=DATE)
    discharged_on = forms.DateField(label=_("Discharged on"), widget=DATE, required=False)
    hospital = forms.CharField(label=_("Hospital"), max_length=120)
    total_amount = _money(_("Total cost (yuan)"))
    insurance_amount = _money(_("Paid by medical insurance (yuan)"))
    out_of_pocket = _money(_("Out of pocket (yuan)"))
    item_code = forms.ChoiceField(label=_("Illness or accident benefit"), required=False)
    invoice = MultipleFileField(label=_("Invoices"), required=False)
    discharge = MultipleFileField(label=_("Discharge summary"), required=False)
    diagnosis = MultipleFileField(label=_("Diagnosis"), required=False)

    def __init__(self, *args: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [("", "—")]
        if plan is not None:
            choices += [(i["code"], f"{i['name']}（{i['amount']}）") for i in plan.illnesses]
            if plan.accident_cover_for_new_employment:
                choices += [(i["code"], f"{i['name']}（{i['amount']}）") for i in plan.accident_benefits]
        self.fields["item_code"].choices = choices  # type: ignore[attr-defined]

    def documents(self) -> list[tuple[str, Any]]:
        d = self.cleaned_data
        return [
            (kind, f)
            for kind in (
                ClaimDocument.Kind.INVOICE,
                ClaimDocument.Kind.DISCHARGE,
                ClaimDocument.Kind.DIAGNOSIS,
            )
            for f in (d.get(kind) or [])
        ]


class EnrolSelfForm(forms.Form):
    plan_code = forms.ChoiceField(label=_("Plan"))
    payment_ref = forms.CharField(
        label=_("Payment reference"),
        max_length=60,
        required=False,
        help_text=_("The receipt number of your payment to the union; leave empty to get one."),
    )

    def __init__(self, *args: Any, plans: list[Plan] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_code"].choices = [  # type: ignore[attr-defined]
            (p.code, f"{p.name}（{p.contribution}）") for p in plans or []
        ]


class MoreDocumentsForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document type"), choices=ClaimDocument.Kind.choices)
    attachments = MultipleFileField(label=_("Files"))
