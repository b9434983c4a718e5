"""Cadre forms of recuperation (console/views/recuperation.py). They check shape only; the rules (the spending
limit, the window, the site's beds, the bounds of the union's rules) are the services', whose errors the views
put on the field they name, so field names here match the services' `ServiceError.field`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.recuperation.models import DesignationKind, RecuperationPolicy, Site, SiteKind

# Browsers' date and datetime-local inputs read and write ISO values, whatever the page's language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200)
    capacity = forms.IntegerField(label=_("Beds"), min_value=1, max_value=10_000)
    contact = forms.CharField(label=_("Contact"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class BatchForm(forms.Form):
    """A batch at one of the union's sites in use; `sites` is the queryset the cadre may choose from."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=120)
    theme = forms.CharField(label=_("Theme"), max_length=60, help_text=_("e.g. 劳模疗休养, 一线职工疗休养"))
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    opens_at = forms.DateTimeField(label=_("Applications open"), widget=DATETIME)
    closes_at = forms.DateTimeField(
        label=_("Applications close"), widget=DATETIME, help_text=_("Before the first day.")
    )
    cost_per_person = forms.DecimalField(
        label=_("Planned cost per person (yuan)"), max_digits=10, decimal_places=2, min_value=0
    )
    only_designations = forms.MultipleChoiceField(
        label=_("Only for (none ticked: every eligible member)"),
        choices=DesignationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sites


class PolicyForm(forms.Form):
    """The union's recuperation rules; the names are services.POLICY_FIELDS and the bounds the service's."""

    daily_limit = forms.DecimalField(
        label=_("Spending limit per person per day (yuan)"),
        max_digits=8,
        decimal_places=2,
        min_value=1,
        max_value=5000,
    )
    max_days = forms.IntegerField(label=_("A batch lasts at most (days)"), min_value=1, max_value=30)
    min_membership_years = forms.IntegerField(
        label=_("Years of membership needed"), min_value=0, max_value=1000
    )
    interval_years = forms.IntegerField(
        label=_("Not again within (years)"), min_value=0, max_value=1000, help_text=_("0: no such rule")
    )
    cancel_days_before = forms.IntegerField(
        label=_("A member may give a place back until (days before the start)"), min_value=0, max_value=1000
    )
    model_worker_points = forms.IntegerField(
        label=_("Priority points for a model worker"), min_value=0, max_value=1000
    )
    frontline_points = forms.IntegerField(
        label=_("Priority points for a front-line worker"), min_value=0, max_value=1000
    )
    points_per_year = forms.IntegerField(
        label=_("Priority points per year of membership"), min_value=0, max_value=1000
    )
    max_service_points = forms.IntegerField(
        label=_("At most (points for years of membership)"), min_value=0, max_value=1000
    )

    @staticmethod
    def initial_from(policy: RecuperationPolicy) -> dict[str, Any]:
        return {name: getattr(policy, name) for name in PolicyForm.base_fields}


class DesignationForm(forms.Form):
    member_number = forms.CharField(label=_("Member number"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind"), choices=DesignationKind.choices)
    title = forms.CharField(
        label=_("Title"), max_length=120, required=False, help_text=_("e.g. 浙江省劳动模范")
    )
    year = forms.IntegerField(label=_("Year"), min_value=1950, max_value=2100, required=False)
