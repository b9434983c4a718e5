"""Forms of the console's member-day pages (console/views/benefits.py). They check shape only; the rules are
the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.benefits.models import Allocation, Kind, OfferStatus
from gonghui.members.models import EmploymentForm

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    category = forms.CharField(
        label=_("Category"),
        max_length=40,
        help_text=_("e.g. film, family day, walk, health check, shopping voucher"),
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME, required=False)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME, required=False)
    quota = forms.IntegerField(label=_("Places"), min_value=1, max_value=100_000)
    opens_at = forms.DateTimeField(label=_("Sign-up opens"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Sign-up closes"), widget=DATETIME)
    allocation = forms.ChoiceField(
        label=_("Allocation"), choices=Allocation.choices, initial=Allocation.LOTTERY
    )
    employment_forms = forms.MultipleChoiceField(
        label=_("Only these employment forms (none ticked: everyone)"),
        choices=EmploymentForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    include_retained = forms.BooleanField(
        label=_("Retained members (retired, unemployed) may sign up"), required=False
    )
    min_membership_months = forms.IntegerField(
        label=_("Minimum months of membership"), min_value=0, max_value=600, initial=0
    )
    exclude_recent_winners = forms.IntegerField(
        label=_("Leave out winners of the union's last draws (0: nobody)"),
        min_value=0,
        max_value=20,
        initial=0,
    )
    voucher_expires_at = forms.DateTimeField(
        label=_("Vouchers valid until (offers; empty: the union's default)"), widget=DATETIME, required=False
    )


class OfferFilterForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=60, widget=forms.TextInput(attrs={"placeholder": _("Title")})
    )
    status = forms.ChoiceField(required=False, choices=[("", _("Any status")), *OfferStatus.choices])
    kind = forms.ChoiceField(required=False, choices=[("", _("Activities and offers")), *Kind.choices])


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=300)


class MerchantForm(forms.Form):
    name = forms.CharField(label=_("Merchant"), max_length=120)
    mobile = forms.CharField(label=_("Mobile number of the person who redeems"), max_length=20)


class TicketCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code or the scanned address"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


class PolicyForm(forms.Form):
    voucher_valid_days = forms.IntegerField(label=_("Vouchers valid for (days)"), min_value=1, max_value=366)
    cancel_hours_before = forms.IntegerField(
        label=_("A winner may give back a place until (hours before the start)"), min_value=0, max_value=720
    )
    checkin_minutes_before = forms.IntegerField(
        label=_("Check-in opens (minutes before the start)"), min_value=0, max_value=720
    )
