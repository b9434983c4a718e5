"""Cadre forms of mutual medical aid."""

from __future__ import annotations

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
