"""The person and what every membership service shares: names and their pinyin keys, the Person a worker or
a cadre typed (person_clean), member numbers, and the helpers for permissions, deadlines, application steps,
member events, holding unions and the live membership of an ID number."""

from __future__ import annotations

import datetime
import functools
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from gonghui.core.calendar import add_workdays_checked
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import (
    clean_division_code,
    clean_id_number,
    clean_mobile,
    clean_uscc,
    id_number_facts_clean,
)
from gonghui.orgs.models import Org
from gonghui.orgs.services import require

from ..models import Application, ApplicationStep, EmploymentForm, Member, MemberEvent, Sequence
from ..rules import HOLDING_KINDS, member_number

NAME_MAX = 50

# --- the person --------------------------------------------------------------------------------------------


def clean_name(value: str, *, field: str = "name") -> str:
    """A real name as written on the ID card: NFKC (full-width letters folded), inner spaces removed for Chinese
    names, the middle dot of minority names (·) kept."""
    name = unicodedata.normalize("NFKC", value or "").strip()
    name = name.replace("•", "·").replace("・", "·")
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in name)
    name = "".join(name.split()) if chinese else " ".join(name.split())
    if not name:
        raise ServiceError("name_required", _("Give the real name."), field=field)
    if len(name) > NAME_MAX or any(ch.isdigit() for ch in name):
        raise ServiceError("invalid_name", _("This does not look like a real name."), field=field)
    return name


@functools.lru_cache(maxsize=20_000)
def _char_keys(char: str) -> tuple[str, str]:
    full = "".join(lazy_pinyin(char)).lower()
    return full, full[:1]


def name_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials for search and sorting: 张三 → ("zhangsan", "zs").

    Character by character, each cached: a name is two to four characters that rarely form a dictionary
    phrase, so this gives what lazy_pinyin gives for the whole name at a tenth of the cost in bulk imports."""
    full, initials = [], []
    for char in name:
        if char.isspace() or char == "·":
            continue
        f, i = _char_keys(char)
        full.append(f)
        initials.append(i)
    return "".join(full)[:200], "".join(initials)[:50]


@dataclass
class Person:
    name: str
    id_number: str
    mobile: str
    employer_name: str = ""
    employer_uscc: str = ""
    employment_form: str = EmploymentForm.REGULAR
    work_division_code: str = ""
    work_place: str = ""

    def fields(self) -> dict[str, Any]:
        birth, sex = id_number_facts_clean(self.id_number)
        pinyin, initials = name_keys(self.name)
        return {
            "name": self.name,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "id_number": self.id_number,
            "id_last4": self.id_number[-4:],
            "birth_date": birth,
            "sex": sex,
            "mobile": self.mobile,
            "employer_name": self.employer_name,
            "employer_uscc": self.employer_uscc,
            "employment_form": self.employment_form,
            "work_division_code": self.work_division_code,
            "work_place": self.work_place,
        }


def person_clean(
    *,
    name: str,
    id_number: str,
    mobile: str = "",
    employer_name: str = "",
    employer_uscc: str = "",
    employment_form: str = EmploymentForm.REGULAR,
    work_division_code: str = "",
    work_place: str = "",
    mobile_required: bool = True,
) -> Person:
    """Validate and normalise what a person or a cadre typed; every problem names its field."""
    if employment_form not in EmploymentForm.values:
        raise ServiceError("invalid_employment_form", _("Choose how you work."), field="employment_form")
    return Person(
        name=clean_name(name),
        id_number=clean_id_number(id_number),
        mobile=clean_mobile(mobile) if (mobile or mobile_required) else "",
        employer_name=" ".join((employer_name or "").split())[:120],
        employer_uscc=clean_uscc(employer_uscc, field="employer_uscc") if employer_uscc.strip() else "",
        employment_form=employment_form,
        work_division_code=(
            clean_division_code(work_division_code, field="work_division_code")
            if work_division_code.strip()
            else ""
        ),
        work_place=" ".join((work_place or "").split())[:200],
    )


# --- member numbers ----------------------------------------------------------------------------------------


def member_numbers_reserve(count: int) -> list[str]:
    """`count` new member numbers, handed out from one locked counter row (one UPDATE for a whole import)."""
    if count <= 0:
        return []
    with transaction.atomic():
        Sequence.objects.get_or_create(name="member_number")
        seq = Sequence.objects.select_for_update().get(name="member_number")
        start = seq.value + 1
        seq.value += count
        seq.save(update_fields=["value"])
    return [member_number(serial) for serial in range(start, start + count)]


# --- helpers -----------------------------------------------------------------------------------------------


def _require(actor: Any, perm: str, org: Org) -> None:
    """404 outside the actor's scope, 403 inside it without `perm`: the one check of the union tree."""
    require(actor=actor, perm=perm, org=org)


def _due(start: datetime.date, workdays: int) -> tuple[datetime.date, bool]:
    return add_workdays_checked(start, workdays)


def _step(
    app: Application, kind: str, *, org: Org | None = None, note: str = "", visible: bool = True
) -> None:
    ApplicationStep.objects.create(
        application=app, kind=kind, org=org or app.org, note=note[:300], visible_to_applicant=visible
    )


def _event(
    member: Member, kind: str, *, actor: Any = None, org: Org | None = None, **extra: Any
) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        org=org or member.org,
        **extra,
    )


def _holding_org(org: Org) -> None:
    if org.kind not in HOLDING_KINDS or not org.is_active:
        raise ServiceError(
            "not_a_holding_union",
            _("%(org)s does not hold member records; choose a grassroots, joint or street union.")
            % {"org": org.name},
            field="org",
        )


def _live_member(id_number: str) -> Member | None:
    from gonghui.core.fields import blind_q

    from ..models import LIVE_STATUSES

    return (
        Member.objects.select_for_update()
        .filter(blind_q(Member, "id_number", id_number), status__in=LIVE_STATUSES)
        .select_related("org")
        .first()
    )


def field_labels(names: list[str]) -> str:
    """The changed fields as a person reads them in the history (手机号、工作单位), not as column names."""
    return "、".join(str(getattr(Member._meta.get_field(name), "verbose_name", name)) for name in names)
