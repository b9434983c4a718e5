from django import forms
from django.utils.translation import gettext_lazy as _


class PasswordLoginForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SmsLoginForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("SMS code"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class OrgRequestForm(forms.Form):
    parent_code = forms.CharField(
        label=_("Code of the union one level up"),
        max_length=32,
        help_text=_("Ask your street, park or district union for its org code."),
    )
    name = forms.CharField(label=_("Name of the new union"), max_length=120)
    employer_name = forms.CharField(label=_("Employer"), max_length=120, required=False)
    uscc = forms.CharField(label=_("Employer's unified social credit code"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    staff_count = forms.IntegerField(label=_("Number of staff"), min_value=0, initial=0)
    reason = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("What to correct"), choices=[("real_name", _("Real name")), ("mobile", _("Mobile number"))]
    )
    value = forms.CharField(label=_("Correct value"), max_length=50)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
