"""Forms of the suggestion pages (portal and console). They only shape input; the services check it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RewardForm, SuggestionCategory, SuggestionStatus


class SuggestionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=SuggestionCategory.choices)
    situation = forms.CharField(
        label=_("The present situation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is the problem or the chance to do better?"),
    )
    measures = forms.CharField(
        label=_("What you suggest"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The measures, step by step."),
    )
    expected_benefit = forms.CharField(
        label=_("Expected benefit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SuggestionFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Number, title or name")}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", _("Every status")), ("open", _("Waiting for the union")), *SuggestionStatus.choices],
    )
    year = forms.IntegerField(
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"placeholder": _("Year")}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Evaluation result"),
        choices=[("", "—"), ("adopt", _("Adopt")), ("decline", _("Do not adopt"))],
    )
    reason = forms.CharField(
        label=_("Reason for not adopting"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Evaluator's notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Evaluator's note"), widget=forms.Textarea(attrs={"rows": 3}))


class ImplementForm(forms.Form):
    implemented_on = forms.DateField(
        label=_("Implemented on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("How it was implemented"), widget=forms.Textarea(attrs={"rows": 3}))
    benefit_amount = forms.CharField(label=_("Benefit (yuan saved or earned)"), required=False, max_length=20)
    benefit_description = forms.CharField(
        label=_("Benefit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RewardFormForm(forms.Form):
    form = forms.ChoiceField(label=_("Form of reward"), choices=RewardForm.choices)
    amount = forms.CharField(label=_("Reward (yuan)"), required=False, max_length=20)
    note = forms.CharField(label=_("Reward note"), required=False, max_length=300)
    benefit_amount = forms.CharField(label=_("Benefit (yuan saved or earned)"), required=False, max_length=20)
    benefit_description = forms.CharField(
        label=_("Benefit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
