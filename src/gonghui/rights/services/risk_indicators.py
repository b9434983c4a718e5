"""Indicators from outside the platform for the labour-relations risk warning (DOMAIN §4): social-insurance and
utility arrears and arbitration cases, imported from a spreadsheet with Chinese headers or sent as rows through the
API. Both paths check every row the same way; any bad row is reported (row, column, reason) and then nothing is
written. A value is unique per employer, indicator and date, so importing the same file again changes nothing.
After a write the scores of the employers concerned are computed again (services/risk.py).
"""

from __future__ import annotations

import datetime
import functools
import re
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit import log_action
from gonghui.core.errors import ServiceError
from gonghui.core.identifiers import clean_uscc
from gonghui.core.uploads import TYPES, check_upload
from gonghui.members.routing import territorial_for
from gonghui.members.rules import HOLDING_KINDS
from gonghui.members.spreadsheets import (
    CellError,
    Column,
    Layout,
    date_cell,
    digits_cell,
    read_csv,
    read_xlsx,
    text,
)
from gonghui.orgs.models import Org
from gonghui.orgs.paths import is_within
from gonghui.orgs.services import require

from ..models import EmployerIndicator, RiskIndicator
from .cases import PERM
from .risk import risk_coordinates_set, risks_compute

# --- indicators by file or API -----------------------------------------------------------------------------------

# Headers in Chinese by design (the files units exchange), as in members/spreadsheets.py.
USCC_COLUMN = Column(
    "uscc",
    "统一社会信用代码",
    True,
    ("信用代码", "社会信用代码", "单位统一社会信用代码", "企业统一社会信用代码"),
    text=True,
    note="必填，18位",
    example="91330106MA2B3C4D5E",
)
NAME_COLUMN = Column(
    "name",
    "单位名称",
    True,
    ("企业名称", "用人单位", "单位", "用人单位名称"),
    note="必填",
    example="示例科技有限公司",
)
INDICATOR_COLUMN = Column(
    "indicator",
    "指标",
    True,
    ("指标名称", "指标类型", "风险指标"),
    note="必填，从下拉列表选择",
    example="社保欠费月数",
)
VALUE_COLUMN = Column("value", "数值", True, ("值", "指标值", "数量"), note="必填，不小于0", example="3")
DATE_COLUMN = Column(
    "as_of",
    "日期",
    True,
    ("统计日期", "数据日期", "截至日期", "日期时间"),
    note="必填，如 2026-11-01",
    example="2026-11-01",
)
LAT_COLUMN = Column("latitude", "纬度", False, ("北纬",), note="选填，如 30.2741", example="30.2741")
LNG_COLUMN = Column("longitude", "经度", False, ("东经",), note="选填，如 120.1551", example="120.1551")
INDICATOR_LAYOUT = Layout(
    "risk_indicators",
    "劳动关系风险指标导入表",
    (USCC_COLUMN, NAME_COLUMN, INDICATOR_COLUMN, VALUE_COLUMN, DATE_COLUMN, LAT_COLUMN, LNG_COLUMN),
)

# The labels written in files for the indicators that may be imported; the first is the one in the template.
# Codes and the English and Chinese labels of the platform are accepted too.
INDICATOR_LABELS: dict[str, tuple[str, ...]] = {
    RiskIndicator.SOCIAL_INSURANCE_ARREARS: (
        "社保欠费月数",
        "社会保险欠费月数",
        "欠缴社保月数",
        "社保欠费",
        "社会保险欠费",
        "欠缴社保",
    ),
    RiskIndicator.UTILITY_ARREARS: (
        "水电欠费月数",
        "水电气欠费月数",
        "欠缴水电费月数",
        "水电欠费",
        "水电气欠费",
        "欠缴水电费",
    ),
    RiskIndicator.ARBITRATION_CASES: ("劳动仲裁案件数", "仲裁案件数", "劳动仲裁案件", "仲裁案件", "劳动仲裁"),
}
MAX_VALUE = Decimal(1_000_000)
MAX_ROWS = 20_000
INLINE_EMPLOYERS = 100  # more employers than this in one import are scored in the background
IMPORT_TYPES = frozenset({"xlsx", "csv"})


def _key(value: str) -> str:
    return re.sub(r"\s", "", text(value)).lower()


@functools.cache
def _indicator_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, labels in INDICATOR_LABELS.items():
        names = {code, *labels}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.add(str(RiskIndicator(code).label))
        for name in names:
            lookup[_key(name)] = code
    return lookup


def indicator_code(value: Any) -> str | None:
    """The code for what a file or a client says (code, Chinese label or English label), or None."""
    return _indicator_lookup().get(_key(value))


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


@dataclass(frozen=True)
class IndicatorRow:
    row: int
    uscc: str
    name: str
    indicator: str
    value: Decimal
    as_of: datetime.date
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass
class ImportResult:
    """What an import did: nothing at all when there are problems (every bad row is listed)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deferred: bool = False  # the scores are computed by the worker (a large import)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _number(raw: Any, *, low: Decimal, high: Decimal, places: int) -> Decimal:
    if isinstance(raw, bool):
        raise CellError(_("Write a number."))
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
    else:
        cleaned = re.sub(r"[\s,，]", "", text(raw))
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise CellError(_("Write a number.")) from None
    if not value.is_finite() or not low <= value <= high:
        raise CellError(_("Write a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value.quantize(Decimal(1).scaleb(-places))


def _clean_row(
    row: int, cells: Mapping[str, Any], headers: Mapping[str, str], today: datetime.date
) -> tuple[IndicatorRow | None, list[Problem]]:
    """One row checked cell by cell; every bad cell is a problem of its column."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def bad(key: str, reason: Any) -> None:
        problems.append(Problem(row, headers.get(key, key), str(reason)))

    raw_uscc = cells.get("uscc")
    try:
        code = digits_cell(raw_uscc)
        if not code:
            bad("uscc", _("Give the employer's unified social credit code."))
        else:
            values["uscc"] = clean_uscc(code, field="uscc")
    except CellError as exc:
        bad("uscc", exc.message)
    except ServiceError:
        bad("uscc", _("“%(value)s” is not a valid unified social credit code.") % {"value": text(raw_uscc)})
    name = text(cells.get("name"))[:120]
    if not name:
        bad("name", _("Give the employer's name."))
    values["name"] = name
    raw_indicator = text(cells.get("indicator"))
    indicator = indicator_code(raw_indicator) if raw_indicator else None
    if not raw_indicator:
        bad("indicator", _("Give the indicator."))
    elif indicator is None:
        allowed = "、".join(labels[0] for labels in INDICATOR_LABELS.values())
        bad(
            "indicator",
            _("Unknown indicator “%(value)s”; use one of %(allowed)s.")
            % {"value": raw_indicator, "allowed": allowed},
        )
    values["indicator"] = indicator
    raw_value = cells.get("value")
    if raw_value is None or text(raw_value) == "":
        bad("value", _("Give the value."))
    else:
        try:
            values["value"] = _number(raw_value, low=Decimal(0), high=MAX_VALUE, places=2)
        except CellError as exc:
            bad("value", exc.message)
    try:
        as_of = date_cell(cells.get("as_of"))
        if as_of is None:
            bad("as_of", _("Give the date of the value."))
        elif as_of > today:
            bad("as_of", _("The date lies in the future."))
        elif as_of.year < 2000:
            bad("as_of", _("The date is too old."))
        values["as_of"] = as_of
    except CellError as exc:
        bad("as_of", exc.message)
    coords: dict[str, Decimal | None] = {"latitude": None, "longitude": None}
    coords_read = True
    for key, limit in (("latitude", Decimal(90)), ("longitude", Decimal(180))):
        raw = cells.get(key)
        if raw is None or text(raw) == "":
            continue
        try:
            coords[key] = _number(raw, low=-limit, high=limit, places=6)
        except CellError as exc:
            bad(key, exc.message)
            coords_read = False
    if coords_read and (coords["latitude"] is None) != (coords["longitude"] is None):
        missing = "longitude" if coords["longitude"] is None else "latitude"
        bad(missing, _("Give both the latitude and the longitude, or neither."))
    if problems:
        return None, problems
    return (
        IndicatorRow(
            row=row,
            uscc=values["uscc"],
            name=values["name"],
            indicator=values["indicator"],
            value=values["value"],
            as_of=values["as_of"],
            latitude=coords["latitude"],
            longitude=coords["longitude"],
        ),
        [],
    )


def _places(usccs: Collection[str]) -> dict[str, Org | None]:
    """The union each employer belongs to for an import: its own union by credit code, else the territorial union
    of the division written in the code (characters 3 to 8 name where the employer was registered). A query per
    thousand employers and one per division, whatever the number of rows."""
    codes = sorted(usccs)
    own: dict[str, Org] = {}
    for i in range(0, len(codes), 1000):
        for found in Org.objects.filter(uscc__in=codes[i : i + 1000], is_active=True, kind__in=HOLDING_KINDS):
            own.setdefault(found.uscc or "", found)
    territorial: dict[str, Org | None] = {}
    places: dict[str, Org | None] = {}
    for code in codes:
        if code in own:
            places[code] = own[code]
            continue
        division = code[2:8]
        if division not in territorial:
            territorial[division] = territorial_for(division) if division.isdigit() else None
        places[code] = territorial[division]
    return places


def _check_rows(
    *, org: Org, rows: Iterable[tuple[int, Mapping[str, Any]]], headers: Mapping[str, str]
) -> tuple[list[IndicatorRow], list[Problem]]:
    """Every row cleaned, then every employer checked against `org` in bulk; problems in row order."""
    today = timezone.localdate()
    cleaned: list[IndicatorRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, datetime.date], IndicatorRow] = {}
    count = 0
    for number, cells in rows:
        count += 1
        if count > MAX_ROWS:
            problems.append(
                Problem(number, "", str(_("A file holds at most %(n)s rows; split it.") % {"n": MAX_ROWS}))
            )
            break
        item, found = _clean_row(number, cells, headers, today)
        if item is None:
            problems.extend(found)
            continue
        key = (item.uscc, item.indicator, item.as_of)
        earlier = seen.get(key)
        if earlier is not None:
            if earlier.value != item.value:
                problems.append(
                    Problem(
                        number,
                        headers.get("value", "value"),
                        str(
                            _("Row %(row)s gives another value for the same employer, indicator and date.")
                            % {"row": earlier.row}
                        ),
                    )
                )
            continue
        seen[key] = item
        cleaned.append(item)
    if count == 0 and not problems:
        problems.append(Problem(0, "", str(_("The file holds no data rows."))))
    places = _places({item.uscc for item in cleaned})
    good: list[IndicatorRow] = []
    outside = str(_("This employer does not belong to %(org)s or a union below it.") % {"org": org.name})
    for item in cleaned:
        place = places.get(item.uscc)
        if place is None or not is_within(place.path, org.path):
            problems.append(Problem(item.row, headers.get("uscc", "uscc"), outside))
        else:
            good.append(item)
    problems.sort(key=lambda p: p.row)
    return good, problems


def _write(*, actor: Any, org: Org, rows: list[IndicatorRow], source: str) -> ImportResult:
    """All rows in one transaction: a value already recorded for the employer, indicator and date is left alone
    when equal and corrected when not, so importing the same file again changes nothing."""
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        existing = {
            (i.employer_uscc, i.indicator, i.as_of): i
            for i in EmployerIndicator.objects.select_for_update().filter(
                employer_uscc__in={r.uscc for r in rows}
            )
        }
        new: list[EmployerIndicator] = []
        for r in rows:
            found = existing.get((r.uscc, r.indicator, r.as_of))
            if found is None:
                new.append(
                    EmployerIndicator(
                        employer_uscc=r.uscc,
                        employer_name=r.name,
                        indicator=r.indicator,
                        value=r.value,
                        as_of=r.as_of,
                        source=source[:40],
                        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
                    )
                )
            elif found.value != r.value:
                found.value, found.employer_name, found.source = r.value, r.name, source[:40]
                found.save(update_fields=["value", "employer_name", "source"])
                result.updated += 1
            else:
                result.unchanged += 1
        EmployerIndicator.objects.bulk_create(new, batch_size=1000)
        result.created = len(new)
        log_action(
            actor=actor,
            action="gonghui.rights.risk.indicators_imported",
            org_path=org.path,
            data={
                "source": source[:40],
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    usccs = sorted({r.uscc for r in rows})
    coordinates: dict[str, tuple[Decimal, Decimal]] = {
        r.uscc: (r.latitude, r.longitude) for r in rows if r.latitude is not None and r.longitude is not None
    }
    if len(usccs) <= INLINE_EMPLOYERS:
        risks_compute(only=usccs)
        risk_coordinates_set(coordinates)
    else:
        # Thousands of employers at once (a first import of a district's arrears) are scored by the worker, so
        # that the upload answers at once; the page says the scores follow.
        result.deferred = True
        payload = {k: [str(lat), str(lng)] for k, (lat, lng) in coordinates.items()}
        transaction.on_commit(lambda: _enqueue_compute(usccs, payload))
    return result


def _enqueue_compute(usccs: list[str], coordinates: dict[str, list[str]]) -> None:
    from ..tasks import compute_risks

    compute_risks.enqueue(only=usccs, coordinates=coordinates)


def _require_importer(actor: Any, org: Org) -> None:
    require(actor=actor, perm=PERM, org=org)


def indicators_import(*, actor: Any, org: Org, upload: Any) -> ImportResult:
    """Import external indicators from a spreadsheet (xlsx, or csv in UTF-8 or GB18030) with the template's
    Chinese headers, for employers of `org` and the unions below it. Every bad row is reported with its row,
    column and reason, and then nothing is written; a clean file is written whole and the scores of its
    employers are computed again. The actor must handle requests at `org`."""
    _require_importer(actor, org)
    kind = check_upload(upload, allowed=IMPORT_TYPES, max_bytes=5 * 1024 * 1024)
    suffix = ".csv" if kind == TYPES["csv"].content_type else ".xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        upload.seek(0)
        with open(path, "wb") as handle:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                handle.write(chunk)
        table = read_csv(path, INDICATOR_LAYOUT) if suffix == ".csv" else read_xlsx(path, INDICATOR_LAYOUT)
        keys = [c.key for c in INDICATOR_LAYOUT.columns]
        rows = (
            (number, {k: table.cell(cells, k) for k in keys if table.has(k)}) for number, cells in table.rows
        )
        good, problems = _check_rows(org=org, rows=rows, headers=table.headers)
        if hasattr(table.rows, "close"):
            table.rows.close()  # type: ignore[attr-defined]
    if problems:
        return ImportResult(rows=len(good), problems=problems)
    name = str(getattr(upload, "name", "") or "file")
    return _write(actor=actor, org=org, rows=good, source=f"file:{name}")


def indicators_put(
    *, actor: Any, org: Org, rows: list[Mapping[str, Any]], source: str = "api"
) -> ImportResult:
    """The same import from a partner system: a list of rows with the keys uscc, name, indicator (code or
    label), value, as_of and optionally latitude and longitude. Rows are numbered from 1 in problems."""
    _require_importer(actor, org)
    if not rows:
        raise ServiceError("import_nothing", _("Send at least one row."), field="rows")
    headers = {c.key: c.key for c in INDICATOR_LAYOUT.columns}
    good, problems = _check_rows(org=org, rows=enumerate(rows, start=1), headers=headers)
    if problems:
        return ImportResult(rows=len(good), problems=problems)
    return _write(actor=actor, org=org, rows=good, source=source or "api")


def indicators_template_xlsx() -> bytes:
    """The import template: title, note, Chinese headers, an example row (skipped on import) and a drop-down
    list of indicators."""
    from gonghui.members.spreadsheets import _Writer

    w = _Writer(constant_memory=False)
    sheet = w.book.add_worksheet("导入")
    columns = INDICATOR_LAYOUT.columns
    last = len(columns) - 1
    title = w.book.add_format({"bold": True, "font_size": 14, "align": "center"})
    note = w.book.add_format({"font_color": "#666666", "text_wrap": True, "valign": "top"})
    sheet.merge_range(0, 0, 0, last, INDICATOR_LAYOUT.title, title)
    notes = (
        "带 * 的列必填。第 4 行为示例，导入时自动跳过。指标：社保欠费月数、水电欠费月数、劳动仲裁案件数；"
        "同一单位、指标和日期只记一次，重复导入不会重复计算。纬度、经度选填，用于地图。"
    )
    sheet.merge_range(1, 0, 1, last, notes, note)
    sheet.set_row(1, 48)
    for col, column in enumerate(columns):
        sheet.write_string(2, col, ("*" if column.required else "") + column.header, w.header)
        if column.note:
            sheet.write_comment(2, col, column.note)
        sheet.set_column(col, col, 24 if column.text else 16, w.text_fmt if column.text else None)
        example = ("示例" if col == 0 else column.example) or ""
        if example:
            sheet.write_string(3, col, example)
        if column.key == "indicator":
            sheet.data_validation(
                3,
                col,
                MAX_ROWS,
                col,
                {
                    "validate": "list",
                    "source": [labels[0] for labels in INDICATOR_LABELS.values()],
                    "error_type": "warning",
                },
            )
    sheet.freeze_panes(3, 0)
    return w.close()


__all__ = [
    "INDICATOR_LABELS",
    "INDICATOR_LAYOUT",
    "ImportResult",
    "Problem",
    "indicator_code",
    "indicators_import",
    "indicators_put",
    "indicators_template_xlsx",
]
