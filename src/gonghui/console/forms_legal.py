"""Forms of the legal-aid and mediation pages (console/views/rights_legal.py). They check shapes only; the
rules are the services'."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.rights.models import LegalAidEntry, LegalResult, LegalStage, MediationCommittee

DATE = forms.DateInput(attrs={"type": "date"})
MONEY = {"min_value": 0, "max_digits": 12, "decimal_places": 2}


class LawyerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    firm = forms.CharField(label=_("Law firm"), max_length=120, required=False)
    phone = forms.CharField(label=_("Work phone"), max_length=20, required=False)
    specialties = forms.CharField(label=_("Specialties"), max_length=200, required=False)


class LegalOpenForm(forms.Form):
    amount_claimed = forms.DecimalField(label=_("Amount claimed (yuan)"), initial=0, **MONEY)  # type: ignore[arg-type]
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalAssignForm(forms.Form):
    lawyer = forms.TypedChoiceField(label=_("Lawyer"), coerce=int)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class LegalRecordForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (LegalAidEntry.Kind.CONSULTATION, _("Consultation")),
            (LegalAidEntry.Kind.DRAFTING, _("Document drafted")),
            (LegalAidEntry.Kind.HEARING, _("Hearing")),
            (LegalAidEntry.Kind.NOTE, _("Note")),
        ],
    )
    on_date = forms.DateField(label=_("Date"), widget=DATE, initial=datetime.date.today)
    note = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LegalStageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=LegalStage.choices)
    note = forms.CharField(
        label=_("Note (required to go back)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LegalCloseForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=LegalResult.choices)
    amount_recovered = forms.DecimalField(label=_("Amount recovered (yuan)"), initial=0, **MONEY)  # type: ignore[arg-type]
    amount_claimed = forms.DecimalField(label=_("Amount claimed (yuan)"), required=False, **MONEY)  # type: ignore[arg-type]
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Request number, employer or lawyer")}
        ),
    )
    status = forms.ChoiceField(
        required=False, choices=[("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))]
    )
    stage = forms.ChoiceField(required=False, choices=[("", _("Any stage")), *LegalStage.choices])


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=MediationCommittee.Kind.choices)
    warn_days_before = forms.IntegerField(
        label=_("Warn this many days before the 15-day limit"), min_value=0, max_value=14, initial=2
    )


class CommitteeUpdateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    warn_days_before = forms.IntegerField(
        label=_("Warn this many days before the 15-day limit"), min_value=0, max_value=14
    )
    active = forms.BooleanField(label=_("Mediates"), required=False)


class MediatorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)


class MediationForm(forms.Form):
    """An application for mediation: the committee, the dispute, the dates and the parties. A worker and an
    employer are asked for; more workers go one per line in `other_workers` ("name, phone")."""

    committee = forms.TypedChoiceField(label=_("Mediation committee"), coerce=int)
    mediator = forms.TypedChoiceField(label=_("Mediator"), coerce=int, required=False, empty_value=None)
    subject = forms.CharField(
        label=_("The dispute"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    received_on = forms.DateField(label=_("Application received"), widget=DATE, initial=datetime.date.today)
    known_on = forms.DateField(
        label=_("The worker knew of the infringement on"),
        widget=DATE,
        help_text=_("The one-year limitation period for arbitration runs from this day."),
    )
    worker_name = forms.CharField(label=_("Worker"), max_length=120)
    worker_phone = forms.CharField(label=_("Worker's phone"), max_length=20, required=False)
    worker_phone_from_case = forms.BooleanField(
        label=_("Use the contact number of the request"), required=False
    )
    worker_representative = forms.CharField(label=_("Worker's representative"), max_length=50, required=False)
    other_workers = forms.CharField(
        label=_("Other workers (one per line: name, phone)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=120)
    employer_uscc = forms.CharField(label=_("Employer's credit code"), max_length=30, required=False)
    employer_representative = forms.CharField(
        label=_("Employer's representative"), max_length=50, required=False
    )
    employer_phone = forms.CharField(label=_("Employer's phone"), max_length=20, required=False)


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE, initial=datetime.date.today)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    notes = forms.CharField(
        label=_("What was said and agreed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AgreementForm(forms.Form):
    terms = forms.CharField(
        label=_("Terms of the agreement"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    amount = forms.DecimalField(label=_("Amount agreed (yuan)"), initial=0, **MONEY)  # type: ignore[arg-type]


class EndForm(forms.Form):
    note = forms.CharField(
        label=_("Why"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MediationFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number or party")}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("open", _("Mediating")),
            ("overdue", _("Past the 15-day limit")),
            ("soon", _("Limit within two days")),
            ("agreed", _("Agreement signed")),
            ("failed", _("No agreement")),
            ("withdrawn", _("Withdrawn")),
            ("all", _("All")),
        ],
    )
