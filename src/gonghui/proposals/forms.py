"""Forms of the proposal pages (portal and console). They only shape input; the services check it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProposalCategory, ProposalStatus, Satisfaction


class ProposalForm(forms.Form):
    congress = forms.TypedChoiceField(label=_("Congress"), coerce=int, choices=[])
    meeting = forms.TypedChoiceField(
        label=_("For the meeting"), coerce=int, required=False, empty_value=None, choices=[]
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ProposalCategory.choices)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}))
    measures = forms.CharField(label=_("Suggested measures"), widget=forms.Textarea(attrs={"rows": 5}))


class ProposalFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Number, title or name")}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", _("Every status")), ("open", _("Waiting for the committee")), *ProposalStatus.choices],
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("", "—"),
            ("accept", _("Register as a proposal")),
            ("convert", _("Turn into a suggestion")),
            ("reject", _("Do not accept")),
        ],
    )
    note = forms.CharField(
        label=_("Reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when not accepting; the proposer reads it."),
    )


class AssignForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, choices=[])
    workdays = forms.IntegerField(label=_("Working days to answer"), min_value=1, max_value=120)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("The department's answer"), widget=forms.Textarea(attrs={"rows": 5}))


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    contact_mobile = forms.CharField(
        label=_("Contact person's mobile number"),
        required=False,
        max_length=20,
        help_text=_("The contact answers proposals in the portal with this account."),
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class PaperProposalForm(forms.Form):
    delegate = forms.TypedChoiceField(label=_("Proposer"), coerce=int, choices=[])
    meeting = forms.TypedChoiceField(
        label=_("For the meeting"), coerce=int, required=False, empty_value=None, choices=[]
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ProposalCategory.choices)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}))
    measures = forms.CharField(label=_("Suggested measures"), widget=forms.Textarea(attrs={"rows": 5}))
