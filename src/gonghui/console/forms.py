from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Role


class OrgRequestForm(forms.Form):
    name = forms.CharField(label=_("Name of the new union"), max_length=120)
    employer_name = forms.CharField(label=_("Employer"), max_length=120, required=False)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    staff_count = forms.IntegerField(label=_("Number of staff"), min_value=0, initial=0)
    reason = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    new_parent = forms.IntegerField(label=_("New parent"), widget=forms.Select)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RoleGrantForm(forms.Form):
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    real_name = forms.CharField(label=_("Real name (for a new account)"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class OrgCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Name"), max_length=120)
    division_code = forms.CharField(
        label=_("Administrative division code"),
        max_length=6,
        required=False,
        help_text=_("Six digits (GB/T 2260); required for city and county or district federations."),
    )
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class OrgEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=60, required=False)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    employer_name = forms.CharField(label=_("Employer"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    staff_count = forms.IntegerField(label=_("Staff count"), min_value=0)
