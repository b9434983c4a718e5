"""Forms of the worker's hardship-aid pages (portal/views/aid.py): shape only, the rules are the services'."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.aid.models import AidType
from gonghui.portal.forms import MultipleFileField


class ApplyForm(forms.Form):
    aid_type = forms.ChoiceField(label=_("Type of aid"), choices=AidType.choices)
    amount = forms.DecimalField(
        label=_("Amount requested (yuan)"), max_digits=10, decimal_places=2, min_value=Decimal("1")
    )
    reason = forms.CharField(
        label=_("Why the household needs help"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    illness_code = forms.CharField(
        label=_("Illness code (ICD-10)"),
        max_length=10,
        required=False,
        help_text=_("Medical aid: on the hospital's diagnosis, e.g. C50.9."),
    )
    illness_name = forms.CharField(label=_("Illness"), max_length=60, required=False)
    school_year = forms.CharField(
        label=_("School year"), max_length=9, required=False, help_text=_("Education aid: e.g. 2026-2027.")
    )
    season = forms.CharField(
        label=_("Holiday season"),
        max_length=20,
        required=False,
        help_text=_("Holiday visits: e.g. 2027春节."),
    )
    period = forms.CharField(
        label=_("Month of need"), max_length=7, required=False, help_text=_("Living aid: e.g. 2026-11.")
    )
    documents = MultipleFileField(label=_("Documents (bills, diagnosis, school notice)"), required=False)


class ObjectForm(forms.Form):
    text = forms.CharField(
        label=_("Your objection"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
