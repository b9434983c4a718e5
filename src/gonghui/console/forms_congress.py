"""Forms of the console's workers' congress pages (console/views/congress*.py). They check shape only; the rules
(term length, quorum, majorities, candidates against seats) are the services' and come back as ServiceError."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.congress import rules
from gonghui.congress.models import AgendaKind, CongressKind, DelegateCategory, DelegateStatus, PollKind, Sex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
BLANK = "blank"
PAPER_CHOICES = (
    (rules.APPROVE, _("For")),
    (rules.OPPOSE, _("Against")),
    (rules.ABSTAIN, _("Abstain")),
    (BLANK, _("Not marked")),
)


def lines(text: str) -> list[str]:
    """The non-empty lines of a textarea, stripped: one item or candidate per line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CongressForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("By the number of staff")), *CongressKind.choices],
        required=False,
        help_text=_("Units with fewer than %(n)s staff usually hold an all-staff meeting.")
        % {"n": rules.ALL_STAFF_BELOW},
    )
    term_number = forms.IntegerField(label=_("Congress term"), min_value=1, max_value=999, initial=1)
    term_start = forms.DateField(label=_("Term of office begins"), widget=DATE)
    term_end = forms.DateField(
        label=_("Term of office ends"), widget=DATE, help_text=_("A term is 3 to 5 years.")
    )
    staff_count = forms.IntegerField(label=_("Staff"), min_value=1, max_value=10_000_000)
    women_staff = forms.IntegerField(label=_("Women among the staff"), min_value=0, initial=0, required=False)
    dispatched_staff = forms.IntegerField(
        label=_("Dispatched workers among the staff"), min_value=0, initial=0, required=False
    )


class FiguresForm(forms.Form):
    staff_count = forms.IntegerField(label=_("Staff"), min_value=1, max_value=10_000_000)
    women_staff = forms.IntegerField(label=_("Women among the staff"), min_value=0)
    dispatched_staff = forms.IntegerField(label=_("Dispatched workers among the staff"), min_value=0)
    min_delegate_percent = forms.DecimalField(
        label=_("Minimum delegates, percent of staff"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )
    min_delegates = forms.IntegerField(label=_("Minimum number of delegates"), min_value=0, max_value=100_000)
    max_manager_percent = forms.IntegerField(
        label=_("Middle managers and above at most, percent of delegates"), min_value=0, max_value=100
    )
    quorum_numerator = forms.IntegerField(label=_("Quorum numerator"), min_value=1, max_value=100)
    quorum_denominator = forms.IntegerField(
        label=_("Quorum denominator"), min_value=1, max_value=100, help_text=_("Two thirds is 2 / 3.")
    )
    contest_margin_percent = forms.IntegerField(
        label=_("Contested elections: candidates above seats, %"), min_value=0, max_value=100
    )
    min_cosigners = forms.IntegerField(label=_("Co-signers a proposal needs"), min_value=0, max_value=1000)
    proposal_answer_days = forms.IntegerField(
        label=_("Working days to answer a proposal"), min_value=0, max_value=365
    )


class ConstituencyForm(forms.Form):
    name = forms.CharField(label=_("Constituency"), max_length=120)
    staff_count = forms.IntegerField(label=_("Staff"), min_value=0, initial=0, required=False)
    seats = forms.IntegerField(label=_("Delegates"), min_value=0, initial=0, required=False)


class DelegateForm(forms.Form):
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        required=False,
        help_text=_("Leave empty when you picked a member above."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    category = forms.ChoiceField(label=_("Category"), choices=DelegateCategory.choices)
    middle_manager = forms.BooleanField(label=_("Middle manager or above"), required=False)
    dispatched = forms.BooleanField(label=_("Dispatched worker"), required=False)
    constituency = forms.TypedChoiceField(
        label=_("Constituency"), coerce=int, required=False, empty_value=None
    )
    elected_on = forms.DateField(label=_("Elected on"), widget=DATE)

    def __init__(
        self, *args: Any, constituencies: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["constituency"].choices = [("", "—"), *(constituencies or [])]  # type: ignore[attr-defined]


class RecallForm(forms.Form):
    votes_for = forms.IntegerField(label=_("Votes for the recall"), min_value=0)
    constituency_size = forms.IntegerField(
        label=_("Staff of the constituency"),
        min_value=1,
        help_text=_("A recall needs more than half of the constituency, not of those who voted."),
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class EndForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Why the service ends"),
        choices=[
            (DelegateStatus.RESIGNED, _("Resigned as a delegate")),
            (DelegateStatus.LEFT, _("Left the unit")),
        ],
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Note"), max_length=300, required=False)


AGENDA_HINTS = (
    (AgendaKind.ELECTION, ("选举", "election", "elect")),
    (AgendaKind.RESOLUTION, ("表决", "决议", "通过", "resolution", "vote")),
    (AgendaKind.DELIBERATION, ("审议", "讨论", "deliberat", "discuss")),
)


def agenda_kind(title: str) -> str:
    """The kind of an agenda line typed in the meeting form, from its words (选举 an election, 表决 a vote,
    审议 a deliberation, anything else a report); the meeting page adds items with an explicit kind."""
    low = title.lower()
    for kind, words in AGENDA_HINTS:
        if any(w in low for w in words):
            return str(kind)
    return str(AgendaKind.REPORT)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda, one item per line"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "An item with 选举 in it is an election, with 表决 or 决议 a vote, with 审议 a deliberation; "
            "any other a report."
        ),
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaKind.choices)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File (PDF, Word, Excel or image)"))


class PollForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PollKind.choices, widget=forms.RadioSelect, initial=PollKind.RESOLUTION
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    agenda_item = forms.TypedChoiceField(label=_("Agenda item"), coerce=int, required=False, empty_value=None)
    options = forms.CharField(
        label=_("Items or candidates, one per line"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    secret = forms.BooleanField(
        label=_("Secret ballot"), required=False, initial=True, help_text=_("Elections are always secret.")
    )
    seats = forms.IntegerField(label=_("Seats (elections)"), min_value=1, max_value=1000, required=False)
    contested = forms.BooleanField(
        label=_("Contested election (more candidates than seats)"), required=False, initial=True
    )
    allow_write_ins = forms.BooleanField(
        label=_("Allow another name (另选他人)"), required=False, initial=True
    )
    teller_a = forms.TypedChoiceField(label=_("Teller 1"), coerce=int, required=False, empty_value=None)
    teller_b = forms.TypedChoiceField(
        label=_("Teller 2"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Two tellers are needed only for paper ballots; each enters every returned ballot."),
    )

    def __init__(
        self,
        *args: Any,
        agenda: list[tuple[int, str]] | None = None,
        tellers: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", "—"), *(agenda or [])]  # type: ignore[attr-defined]
        for key in ("teller_a", "teller_b"):
            self.fields[key].choices = [("", "—"), *(tellers or [])]  # type: ignore[attr-defined]


class NextRoundForm(forms.Form):
    candidates = forms.CharField(
        label=_("Candidates for the unfilled seats, one per line"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PaperIssueForm(forms.Form):
    delegate = forms.TypedChoiceField(label=_("Delegate"), coerce=int)

    def __init__(self, *args: Any, delegates: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].choices = list(delegates or [])  # type: ignore[attr-defined]


class PaperEntryForm(forms.Form):
    """One returned paper ballot as a teller reads it: its number, a mark per item, other names, spoilt."""

    serial = forms.IntegerField(label=_("Ballot number"), min_value=1, max_value=100_000)
    spoilt = forms.BooleanField(label=_("Spoilt (unreadable or defaced)"), required=False)

    def __init__(self, *args: Any, options: list[tuple[int, str]], write_ins: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.option_keys: list[str] = []
        for oid, label in options:
            key = f"o{oid}"
            self.fields[key] = forms.ChoiceField(
                label=label, choices=PAPER_CHOICES, widget=forms.RadioSelect, initial=BLANK, required=False
            )
            self.option_keys.append(key)
        self.write_in_keys: list[str] = []
        for i in range(write_ins):
            key = f"w{i}"
            self.fields[key] = forms.CharField(label=_("Another name"), max_length=30, required=False)
            self.write_in_keys.append(key)

    def option_fields(self) -> list[Any]:
        return [self[k] for k in self.option_keys]

    def write_in_fields(self) -> list[Any]:
        return [self[k] for k in self.write_in_keys]

    def marks(self) -> dict[int, str]:
        d = self.cleaned_data
        return {int(k[1:]): d[k] for k in self.option_keys if d.get(k) and d[k] != BLANK}

    def names(self) -> list[str]:
        return [self.cleaned_data[k] for k in self.write_in_keys if self.cleaned_data.get(k)]
