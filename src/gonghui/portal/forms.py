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


# --- membership (members app): join and transfer -----------------------------------------------------------

from typing import Any, cast  # noqa: E402  (the membership block keeps its imports with it)


def _employment_choices() -> list[tuple[Any, list[tuple[str, Any]]]]:
    """Employment forms in two groups; the eight groups the unions especially invite are marked with ★."""
    from django.utils.text import format_lazy

    from gonghui.members.models import EmploymentForm
    from gonghui.members.rules import EIGHT_GROUPS, NEW_EMPLOYMENT_FORMS

    employees = [(f.value, f.label) for f in EmploymentForm if f not in NEW_EMPLOYMENT_FORMS]
    new = [
        (f.value, format_lazy("{} ★", f.label) if f in EIGHT_GROUPS else f.label)
        for f in EmploymentForm
        if f in NEW_EMPLOYMENT_FORMS
    ]
    return [(_("Employees"), employees), (_("New forms of employment"), new)]


class JoinForm(forms.Form):
    """The application to join. What a person is (name, ID number, mobile) is checked by
    members.services.person_clean; this form only collects it and resolves the unions picked from lists."""

    name = forms.CharField(
        label=_("Real name"),
        max_length=50,
        help_text=_("As written on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        help_text=_("Your date of birth and sex are read from it."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=_("SMS code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    employer_q = forms.CharField(
        label=_("Find your employer"),
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "data-search": "1", "placeholder": _("Unit name or credit code")}
        ),
    )
    employer_org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    employer_name = forms.CharField(
        label=_("Employer's name"),
        max_length=120,
        required=False,
        help_text=_("If your employer is not in the list, type its name. Your employer is never contacted."),
    )
    employer_uscc = forms.CharField(
        label=_("Employer's unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("Optional: 18 characters, on the business licence."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    employment_form = forms.ChoiceField(
        label=_("How you work"),
        help_text=_("★ marks the eight groups that unions especially invite to join."),
    )
    platform_org = forms.ChoiceField(
        label=_("Platform you work through"),
        required=False,
        help_text=_(
            "Only for new forms of employment: riders, couriers, drivers and other platform workers."
        ),
    )
    work_division_code = forms.ChoiceField(label=_("District where you work"), required=False)
    work_division_other = forms.CharField(
        label=_("Not in the list? Type the 6-digit division code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "330106"}),
    )
    work_place = forms.CharField(
        label=_("Address of your workplace"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    union_q = forms.CharField(
        label=_("Find a union near you"),
        max_length=60,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "data-search": "1", "placeholder": _("Name of the union")}
        ),
    )
    chosen_org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    consent = forms.BooleanField(label=_("I agree"), required=True)

    def __init__(self, *args: object, anonymous: bool = True, **kwargs: object) -> None:
        from gonghui.members import selectors
        from gonghui.members.rules import NEW_EMPLOYMENT_FORMS

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.anonymous = anonymous
        self.fields["mobile"].required = anonymous
        cast(forms.ChoiceField, self.fields["employment_form"]).choices = _employment_choices()
        self.fields["employment_form"].initial = "regular"
        # join.js shows the platform question only for these forms; without JavaScript it is always shown.
        self.fields["employment_form"].widget.attrs["data-new-employment"] = ",".join(
            sorted(NEW_EMPLOYMENT_FORMS)
        )
        cast(forms.ChoiceField, self.fields["platform_org"]).choices = [
            ("", _("Not through a platform")),
            *[(str(o.pk), o.name) for o in selectors.platform_orgs()],
        ]
        cast(forms.ChoiceField, self.fields["work_division_code"]).choices = [
            ("", _("Choose the district")),
            *[(o.division_code, f"{o.name} · {o.division_code}") for o in selectors.work_districts()],
        ]
        self.fields["consent"].error_messages["required"] = _(
            "To join, agree that the union may keep your ID number for membership."
        )

    # Each field is checked on its own as well, so every mistake shows at once; person_clean checks again.
    def _checked(self, field: str, check: Any) -> str:
        from gonghui.core.errors import ServiceError

        value = self.cleaned_data.get(field) or ""
        if not value.strip():
            return ""
        try:
            return str(check(value))
        except ServiceError as exc:
            raise forms.ValidationError(str(exc.message)) from None

    def clean_name(self) -> str:
        from gonghui.members.services import clean_name

        return self._checked("name", clean_name)

    def clean_id_number(self) -> str:
        from gonghui.core.identifiers import clean_id_number

        return self._checked("id_number", clean_id_number)

    def clean_mobile(self) -> str:
        from gonghui.core.identifiers import clean_mobile

        return self._checked("mobile", clean_mobile)

    def clean_employer_uscc(self) -> str:
        from gonghui.core.identifiers import clean_uscc

        return self._checked("employer_uscc", clean_uscc)

    def clean_work_division_other(self) -> str:
        from gonghui.core.identifiers import clean_division_code

        return self._checked("work_division_other", clean_division_code)

    def _org(self, field: str, purpose: str) -> object:
        from gonghui.members import selectors

        value = self.cleaned_data.get(field)
        if value in (None, ""):
            return None
        org = selectors.join_org_get(org_id=value, purpose=purpose)
        if org is None:
            raise forms.ValidationError(_("This union cannot be chosen; search again."))
        return org

    def clean_employer_org(self) -> object:
        return self._org("employer_org", "employer")

    def clean_chosen_org(self) -> object:
        return self._org("chosen_org", "union")

    def clean_platform_org(self) -> object:
        return self._org("platform_org", "platform")

    def clean(self) -> dict[str, object]:
        from gonghui.members.rules import NEW_EMPLOYMENT_FORMS

        data = super().clean() or {}
        # The typed code wins over the list: the list holds only the districts the platform knows.
        data["division"] = (
            (data.get("work_division_other") or "").strip() or data.get("work_division_code") or ""
        )
        # The platform question is only asked of new-employment workers (the page hides it for others).
        if data.get("employment_form") not in NEW_EMPLOYMENT_FORMS:
            data["platform_org"] = None
        employer = data.get("employer_org")
        if employer is not None and not (data.get("employer_name") or "").strip():
            data["employer_name"] = getattr(employer, "employer_name", "") or getattr(employer, "name", "")
        return data


class TransferForm(forms.Form):
    """A member moves to the union of a new job (转会)."""

    union_q = forms.CharField(
        label=_("Find your new union"),
        max_length=60,
        required=False,
        help_text=_("Type the name of the union or of your new employer."),
        widget=forms.TextInput(attrs={"type": "search", "data-search": "1"}),
    )
    to_org = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_employer_name = forms.CharField(label=_("New employer"), max_length=120, required=False)
    new_employer_uscc = forms.CharField(
        label=_("New employer's unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("Optional."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Notes for the new union"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_to_org(self) -> object:
        from gonghui.members import selectors

        value = self.cleaned_data.get("to_org")
        if value in (None, ""):
            raise forms.ValidationError(_("Choose the union you are moving to."))
        org = selectors.join_org_get(org_id=value, purpose="union")
        if org is None:
            raise forms.ValidationError(_("This union cannot be chosen; search again."))
        return org


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos of a wage slip, a contract); each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class RightsRequestForm(forms.Form):
    """A worker asks the union for help (诉求), with their name or without it."""

    category = forms.ChoiceField(label=_("What is it about?"))
    description = forms.CharField(
        label=_("What happened?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("When it started, how much is owed, what the employer said. No need for legal words."),
    )
    workers_affected = forms.IntegerField(
        label=_("How many workers are affected?"), min_value=1, max_value=100_000, initial=1
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=120, required=False)
    employer_uscc = forms.CharField(
        label=_("Employer's credit code (if you know it)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    work_division_code = forms.ChoiceField(label=_("District where you work"), required=False)
    work_place = forms.CharField(label=_("Address or area of work"), max_length=200, required=False)
    anonymous = forms.BooleanField(
        label=_("Report without my name"),
        required=False,
        help_text=_("The union will not know who you are; follow the request with the code you get."),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    contact_mobile = forms.CharField(
        label=_("Mobile number to reach you"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    documents = MultipleFileField(label=_("Photos or documents (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gonghui.members import selectors
        from gonghui.rights.models import Category

        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("Choose")), *Category.choices]
        cast(forms.ChoiceField, self.fields["work_division_code"]).choices = [
            ("", _("Choose the district")),
            *[(o.division_code, f"{o.name} · {o.division_code}") for o in selectors.work_districts()],
        ]


class FollowCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
        ),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well was it handled?"),
        coerce=int,
        choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=300, required=False)


class ReasonOnlyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
