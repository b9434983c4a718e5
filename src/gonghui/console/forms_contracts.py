"""Forms of the console's collective-contract pages (console/views/contracts.py). They check shape only; the
rules (term, dates, states) are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.contracts.models import ContractDocument, Kind, Level, Status
from gonghui.portal.forms import MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    union_party = forms.CharField(label=_("Union side"), max_length=200)
    union_representative = forms.CharField(label=_("Union's chief representative"), max_length=50)
    employer_party = forms.CharField(label=_("Employer side"), max_length=200)
    employer_uscc = forms.CharField(label=_("Employer's credit code"), max_length=30, required=False)
    employer_representative = forms.CharField(label=_("Employer's chief representative"), max_length=50)
    summary = forms.CharField(
        label=_("Main terms"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    term_start = forms.DateField(label=_("Term starts"), widget=DATE, required=False)
    term_end = forms.DateField(label=_("Term ends"), widget=DATE, required=False)
    covered_org_ids = forms.TypedMultipleChoiceField(
        label=_("Units covered (grassroots unions)"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    other_units = forms.CharField(
        label=_("Other units covered (without a union, one per line)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    other_units_count = forms.IntegerField(
        label=_("Number of other units"), min_value=0, initial=0, required=False
    )
    other_staff = forms.IntegerField(
        label=_("Staff of the other units"), min_value=0, initial=0, required=False
    )

    def __init__(self, *args: object, units: list[tuple[int, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["covered_org_ids"].choices = units or []  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    union_participants = forms.CharField(label=_("Union side present"), max_length=500)
    employer_participants = forms.CharField(label=_("Employer side present"), max_length=500)
    minutes = forms.CharField(label=_("Minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    papers = MultipleFileField(label=_("Papers (optional)"), required=False)


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    term_start = forms.DateField(label=_("Term starts"), widget=DATE)
    term_end = forms.DateField(label=_("Term ends"), widget=DATE)
    adopted_on = forms.DateField(label=_("Adopted by the workers' congress on"), widget=DATE, required=False)


class DateStepForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)


class ObjectForm(forms.Form):
    on = forms.DateField(label=_("Objected on"), widget=DATE)
    objection = forms.CharField(
        label=_("The objection"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Document"),
        choices=[
            (v, label) for v, label in ContractDocument.DocKind.choices if v != ContractDocument.DocKind.ROUND
        ],
    )
    file = forms.FileField(label=_("File"))


class PolicyForm(forms.Form):
    remind_days_before = forms.IntegerField(
        label=_("Remind this many days before expiry"), min_value=1, max_value=365
    )


class ContractFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title, employer or number")}),
    )
    status = forms.ChoiceField(required=False, choices=[("", _("Any status")), *Status.choices])
    kind = forms.ChoiceField(required=False, choices=[("", _("Any kind")), *Kind.choices])
    level = forms.ChoiceField(required=False, choices=[("", _("Any level")), *Level.choices])
    expiring = forms.BooleanField(required=False, label=_("Expiring within 90 days"))
