"""Forms of the console's disclosure pages (console/views/disclosure.py). They check shape only; the rules
are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.disclosure.models import Category, Channel, Frequency, ItemStatus
from gonghui.portal.forms import MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("What is disclosed"), max_length=120)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    next_due = forms.DateField(label=_("Next due"), widget=DATE)


class ScheduleEditForm(forms.Form):
    title = forms.CharField(label=_("What is disclosed"), max_length=120)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    next_due = forms.DateField(label=_("Next due"), widget=DATE, required=False)
    active = forms.BooleanField(label=_("Active"), required=False)


class ItemForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    schedule = forms.TypedChoiceField(
        label=_("Plan entry it settles"), coerce=int, required=False, empty_value=None
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.ONLINE)

    def __init__(
        self, *args: object, schedule_choices: list[tuple[int, str]] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["schedule"].choices = [("", _("Outside the plan")), *(schedule_choices or [])]  # type: ignore[attr-defined]


class ItemNewForm(ItemForm):
    documents = MultipleFileField(label=_("Files (optional)"), required=False)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why it is withdrawn"), max_length=300)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(
        label=_("Publish as public Q&A"),
        required=False,
        help_text=_(
            "All members of the union then see the question and the answer, without the asker's name."
        ),
    )


class ItemFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title")}),
    )
    status = forms.ChoiceField(required=False, choices=[("", _("Any status")), *ItemStatus.choices])
    category = forms.ChoiceField(required=False, choices=[("", _("Any category")), *Category.choices])
