import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Application, EmploymentForm, MemberPolicy, MemberStatus, RetainedReason
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


# --- membership (console/views/members.py) -----------------------------------------------------------------


class MonthField(forms.CharField):
    """A month typed as 2026-10 (what <input type="month"> sends), cleaned to the first day of the month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10", "inputmode": "numeric"})

    def to_python(self, value: object) -> datetime.date | None:  # type: ignore[override]
        text = str(super().to_python(value) or "").strip()
        if not text:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
        if match is None or not (1900 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
            raise forms.ValidationError(_("Give a month such as 2026-10."), code="invalid")
        return datetime.date(int(match[1]), int(match[2]), 1)


def _labelled(label: str) -> dict[str, str]:
    return {"aria-label": label}


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, pinyin or last four of the ID number")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))])
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("Any deadline")),
            ("overdue", _("Overdue")),
            ("soon", _("Due within two days")),
            ("escalated", _("Escalated")),
        ],
    )
    employment_form = forms.ChoiceField(
        label=_("Employment form"), required=False, choices=[("", _("Any employment form"))]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["status"].choices = [("", _("Any status")), *Application.Status.choices]  # type: ignore[attr-defined]
        self.fields["employment_form"].choices = [("", _("Any employment form")), *EmploymentForm.choices]  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.update(_labelled(str(field.label)))


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, pinyin, initials, member number, last four or full ID, mobile"),
            }
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    employment_form = forms.ChoiceField(label=_("Employment form"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Any status")),
            ("live", _("Live (active, retained or being transferred)")),
            *MemberStatus.choices,
        ]
        self.fields["employment_form"].choices = [("", _("Any employment form")), *EmploymentForm.choices]  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.update(_labelled(str(field.label)))


class ApproveForm(forms.Form):
    place_in = forms.TypedChoiceField(label=_("Place the member in"), coerce=int, required=False)


class RerouteForm(forms.Form):
    org = forms.IntegerField(
        label=_("Union"), error_messages={"required": _("Choose a union from the list.")}
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Real name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=120, required=False)
    employer_uscc = forms.CharField(label=_("Employer's credit code"), max_length=30, required=False)
    employment_form = forms.ChoiceField(label=_("Employment form"), choices=EmploymentForm.choices)
    work_division_code = forms.CharField(
        label=_("Place of work (division code)"),
        max_length=6,
        required=False,
        help_text=_("Six digits (GB/T 2260), such as 330106."),
    )
    work_place = forms.CharField(label=_("Place of work"), max_length=200, required=False)


class MemberCreateForm(PersonForm):
    org = forms.TypedChoiceField(label=_("Union"), coerce=int)
    joined_on = forms.DateField(
        label=_("Joined on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today."),
    )

    field_order = ["org", "name", "id_number", "mobile", "employment_form", "employer_name", "employer_uscc"]


class MemberEditForm(forms.Form):
    mobile = forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("Leave empty to keep the current number."),
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=120, required=False)
    employer_uscc = forms.CharField(label=_("Employer's credit code"), max_length=30, required=False)
    employment_form = forms.ChoiceField(label=_("Employment form"), choices=EmploymentForm.choices)
    work_division_code = forms.CharField(
        label=_("Place of work (division code)"), max_length=6, required=False
    )
    work_place = forms.CharField(label=_("Place of work"), max_length=200, required=False)


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    retained_reason = forms.ChoiceField(
        label=_("Why membership is retained"),
        required=False,
        help_text=_("Needed to retain membership: retired or unemployed (dues are waived)."),
    )
    decision = forms.CharField(
        label=_("Decision of the member meeting"),
        max_length=200,
        required=False,
        help_text=_("Needed to expel: the date and reference of the decision."),
    )

    def __init__(self, *args: object, allowed: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["status"].choices = allowed or []  # type: ignore[attr-defined]
        self.fields["retained_reason"].choices = [("", "—"), *RetainedReason.choices]  # type: ignore[attr-defined]


class TransferStartForm(forms.Form):
    to_org = forms.IntegerField(
        label=_("Receiving union"), error_messages={"required": _("Choose a union from the list.")}
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    new_employer_name = forms.CharField(label=_("New employer"), max_length=120, required=False)
    new_employer_uscc = forms.CharField(label=_("New employer's credit code"), max_length=30, required=False)


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Show"), choices=[("id_number", _("ID number")), ("mobile", _("Mobile number"))]
    )
    reason = forms.CharField(
        label=_("Why you need it"),
        max_length=200,
        help_text=_("Recorded in the audit log with your name."),
    )


class DuesWageForm(forms.Form):
    month = MonthField(label=_("Month"))
    wage_base = forms.CharField(label=_("Wage base (yuan)"), max_length=20)


class DuesPaymentForm(forms.Form):
    month = MonthField(label=_("Month"))
    amount = forms.CharField(label=_("Amount paid (yuan)"), max_length=20)
    paid_on = forms.DateField(
        label=_("Paid on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today."),
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LapseDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note of the conversation with the member"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("When and how the member was talked to, and what they said."),
    )


class ArrearsFilterForm(forms.Form):
    since = MonthField(label=_("Since month"), required=False)


class MemberPolicyForm(forms.Form):
    review_workdays = forms.IntegerField(label=_("Review deadline (working days)"), min_value=1, max_value=30)
    transfer_workdays = forms.IntegerField(
        label=_("Transfer deadline (working days)"), min_value=1, max_value=30
    )
    remind_workdays_before = forms.IntegerField(
        label=_("Remind this many working days before the deadline"), min_value=0, max_value=10
    )
    dues_permille = forms.DecimalField(
        label=_("Dues rate (‰ of the wage)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    dues_rounding = forms.ChoiceField(label=_("Dues rounding"), choices=MemberPolicy.Rounding.choices)
    lapse_months = forms.IntegerField(
        label=_("Months without dues or participation before a lapse is proposed"), min_value=1, max_value=24
    )


# --- rights protection -------------------------------------------------------------------------------------


def _rights_choices() -> tuple[list[tuple[str, object]], list[tuple[str, object]]]:
    from gonghui.rights.models import CaseStatus, Category

    return [("", _("All categories")), *Category.choices], [
        ("open", _("Open")),
        *CaseStatus.choices,
        ("", _("All")),
    ]


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, employer or name")}),
    )
    status = forms.ChoiceField(required=False)
    due = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Any deadline")),
            ("overdue", _("Overdue")),
            ("soon", _("Due within two days")),
            ("escalated", _("Escalated")),
            ("unassigned", _("Not taken on")),
            ("collective", _("Collective cases")),
        ],
    )
    category = forms.ChoiceField(required=False)
    mine = forms.BooleanField(required=False, label=_("Only mine"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        categories, statuses = _rights_choices()
        self.fields["category"].choices = categories  # type: ignore[attr-defined]
        self.fields["status"].choices = statuses  # type: ignore[attr-defined]


class CaseCallForm(forms.Form):
    """A 12351 hotline call recorded by an operator on the worker's behalf."""

    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("What the caller said"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    workers_affected = forms.IntegerField(
        label=_("Workers affected"), min_value=1, max_value=100_000, initial=1
    )
    employer_name = forms.CharField(label=_("Employer"), max_length=120, required=False)
    employer_uscc = forms.CharField(label=_("Employer's credit code"), max_length=30, required=False)
    work_division_code = forms.CharField(
        label=_("Division code of the place of work"), max_length=6, required=False
    )
    work_place = forms.CharField(label=_("Place of work"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("The caller does not give a name"), required=False)
    contact_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    contact_mobile = forms.CharField(label=_("Caller's mobile number"), max_length=20, required=False)
    keep = forms.BooleanField(
        label=_("Handle it here myself"),
        required=False,
        help_text=_("Otherwise it goes at once to the union responsible for the employer or place of work."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from gonghui.rights.models import Category

        self.fields["category"].choices = [("", "—"), *Category.choices]  # type: ignore[attr-defined]


class CaseRecordForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("response", _("Reply to the worker (the worker reads it)")),
            ("contact", _("Contact with the employer (internal)")),
            ("note", _("Internal note")),
        ],
    )
    text = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CaseDocumentForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class CaseHandoverForm(forms.Form):
    to_user = forms.TypedChoiceField(label=_("Hand over to"), coerce=int)
    note = forms.CharField(label=_("Why"), max_length=300)


class CaseTransferForm(forms.Form):
    to_org = forms.IntegerField(label=_("Union (id)"), widget=forms.HiddenInput)
    to_org_q = forms.CharField(label=_("Transfer to union"), max_length=60, required=False)
    reason = forms.CharField(label=_("Reason (the worker reads it)"), max_length=300)


class CaseCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"))
    summary = forms.CharField(
        label=_("Conclusion for the worker"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from gonghui.rights.models import Outcome

        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            (v, label) for v, label in Outcome.choices if v != Outcome.WITHDRAWN
        ]


class ServiceLevelForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"))
    ack_workdays = forms.IntegerField(label=_("Acknowledge (working days)"), min_value=1, max_value=120)
    respond_workdays = forms.IntegerField(
        label=_("First response (working days)"), min_value=1, max_value=120
    )
    conclude_workdays = forms.IntegerField(label=_("Conclusion (working days)"), min_value=1, max_value=120)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from gonghui.rights.models import Category

        self.fields["category"].choices = Category.choices  # type: ignore[attr-defined]


class RightsPolicyForm(forms.Form):
    remind_workdays_before = forms.IntegerField(
        label=_("Remind this many working days before a deadline"), min_value=0, max_value=10
    )
    reopen_days = forms.IntegerField(
        label=_("A closed request may be reopened within (days)"), min_value=0, max_value=365
    )
