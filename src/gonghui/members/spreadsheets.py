"""The spreadsheets units exchange with the platform: reading member, payroll and payment files with the
tolerance real files need, and writing templates, problem lists and member lists.

Reading: python-calamine for xlsx (and xls, ods), the csv module for csv files in UTF-8 (with or without a
byte order mark) or GB18030. Rows are streamed one at a time; the header row is found wherever it is (title
rows, often merged, sit above it in real files). Cells are normalised here (full-width characters, stray
spaces, floats that stand for digits, Chinese dates); validation of the values is the importer's job.

Writing: xlsxwriter. Every text cell is written with `write_string`, so Excel or WPS never evaluates it, and a
text that a spreadsheet would take for a formula (the rule of core.exports.csv_safe) also carries the quote
prefix, so it stays text when someone edits the cell.

Headers and the labels inside cells are Chinese by design: these are the files units exchange, whatever the
language of the person who downloads them.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import re
import tempfile
import unicodedata
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import ServiceError
from gonghui.core.exports import csv_safe
from gonghui.core.masking import mask_id_number, mask_mobile

from .models import EmploymentForm, ImportJob, Member, MemberStatus

# --- columns -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header written in templates and exports
    required: bool = False
    aliases: tuple[str, ...] = ()
    text: bool = False  # formatted as text in the template, so Excel keeps long digit strings intact
    note: str = ""  # the hint under the header in the template (Chinese, for the people who fill it in)
    example: str = ""


@dataclass(frozen=True)
class Layout:
    kind: str
    title: str
    columns: tuple[Column, ...]
    # At least one of these must be present (a payroll row names the member by number or by ID number).
    one_of: tuple[str, ...] = ()

    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]


# Headers in Chinese by design (the files units exchange); aliases are the variants found in real files.
NAME = Column("name", "姓名", True, ("会员姓名", "职工姓名", "员工姓名"), note="必填", example="张三")
ID_NUMBER = Column(
    "id_number",
    "身份证号码",
    True,
    ("身份证号", "公民身份号码", "身份证件号码", "证件号码", "居民身份证号码"),
    text=True,
    note="必填，18位；请设为文本格式",
    example="330106199001010015",
)
MOBILE = Column(
    "mobile",
    "手机号码",
    True,
    ("手机号", "手机", "联系电话", "移动电话", "联系方式"),
    text=True,
    note="必填，11位",
    example="13800000000",
)
EMPLOYER = Column(
    "employer_name",
    "工作单位",
    False,
    ("单位名称", "所在单位", "单位"),
    note="选填",
    example="示例科技有限公司",
)
EMPLOYER_USCC = Column(
    "employer_uscc",
    "统一社会信用代码",
    False,
    ("单位统一社会信用代码", "信用代码", "社会信用代码"),
    text=True,
    note="选填，18位",
)
FORM = Column(
    "employment_form",
    "就业形式",
    False,
    ("用工形式", "职业类型", "从业类型"),
    note="选填，从下拉列表选择，默认正式职工",
    example="外卖骑手",
)
DIVISION = Column(
    "work_division_code",
    "工作地区划代码",
    False,
    ("工作地行政区划代码", "行政区划代码", "区划代码"),
    text=True,
    note="选填，6位数字",
    example="330106",
)
WORK_PLACE = Column(
    "work_place", "工作地点", False, ("工作地址",), note="选填", example="杭州市西湖区文新街道"
)
JOINED = Column(
    "joined_on",
    "入会日期",
    False,
    ("入会时间",),
    note="选填，如 2024-03-05；默认导入当天",
    example="2024-03-05",
)
UNION = Column(
    "union_code",
    "所属工会代码",
    False,
    ("工会代码", "所属工会编码", "基层工会代码", "工会编码"),
    text=True,
    note="上级工会导入时必填：会员所在基层工会的代码",
)

MEMBER_NUMBER = Column(
    "member_number",
    "会员编号",
    False,
    ("会员号", "会员证号"),
    text=True,
    note="会员编号或身份证号码至少填一项",
)
ID_FOR_DUES = Column(
    "id_number", "身份证号码", False, ID_NUMBER.aliases, text=True, note="会员编号或身份证号码至少填一项"
)
MONTH = Column(
    "month",
    "月份",
    True,
    ("所属月份", "工资月份", "缴费月份", "费款所属期"),
    text=True,
    note="必填，如 2024-03",
    example="2024-03",
)
WAGE = Column(
    "wage_base",
    "工资基数",
    True,
    ("工资", "月工资", "缴费基数", "工资总额"),
    note="必填，单位元",
    example="6500.00",
)
PAID = Column(
    "amount",
    "实缴金额",
    True,
    ("缴费金额", "实缴会费", "金额", "会费金额"),
    note="必填，单位元",
    example="32.50",
)
PAID_ON = Column(
    "paid_on", "缴费日期", False, ("缴纳日期", "到账日期"), note="选填，默认导入当天", example="2024-03-31"
)
NAME_OPTIONAL = Column("name", "姓名", False, NAME.aliases, note="选填，仅供核对", example="张三")

LAYOUTS: dict[str, Layout] = {
    ImportJob.Kind.MEMBERS: Layout(
        "members",
        "会员信息导入表",
        (NAME, ID_NUMBER, MOBILE, EMPLOYER, EMPLOYER_USCC, FORM, DIVISION, WORK_PLACE, JOINED, UNION),
    ),
    ImportJob.Kind.WAGES: Layout(
        "wages",
        "会员工资基数导入表",
        (MEMBER_NUMBER, ID_FOR_DUES, NAME_OPTIONAL, MONTH, WAGE),
        one_of=("member_number", "id_number"),
    ),
    ImportJob.Kind.PAYMENTS: Layout(
        "payments",
        "会费缴纳记录导入表",
        (MEMBER_NUMBER, ID_FOR_DUES, NAME_OPTIONAL, MONTH, PAID, PAID_ON),
        one_of=("member_number", "id_number"),
    ),
}

# Employment forms as written in Chinese files. The first label of each form is the one written in templates
# and exports; the others are variants accepted on import. Codes and English labels are accepted too.
EMPLOYMENT_LABELS: dict[str, tuple[str, ...]] = {
    EmploymentForm.REGULAR: ("正式职工", "正式员工", "在岗职工", "合同制职工", "全日制", "正式工", "职工"),
    EmploymentForm.DISPATCHED: ("劳务派遣", "派遣", "派遣工", "劳务派遣工"),
    EmploymentForm.PART_TIME: ("非全日制", "兼职", "小时工", "非全日制用工"),
    EmploymentForm.DELIVERY_RIDER: ("外卖骑手", "网约配送员", "骑手", "外卖员", "外卖送餐员"),
    EmploymentForm.COURIER: ("快递员", "快递小哥", "快递"),
    EmploymentForm.RIDE_HAILING: ("网约车司机", "网约车驾驶员"),
    EmploymentForm.TRUCK_DRIVER: ("货车司机", "货车驾驶员", "卡车司机"),
    EmploymentForm.DOMESTIC: ("家政服务员", "家政工", "家政"),
    EmploymentForm.CARE_WORKER: ("护工", "护理员", "养老护理员"),
    EmploymentForm.SECURITY_GUARD: ("保安员", "保安"),
    EmploymentForm.MALL_STAFF: ("商场信息员",),
    EmploymentForm.REAL_ESTATE_AGENT: ("房产中介", "房地产经纪人", "房屋中介"),
    EmploymentForm.LIVE_STREAMER: ("网络主播", "主播"),
    EmploymentForm.OTHER_PLATFORM: ("其他平台从业者", "其他新就业形态", "其他平台工作者"),
}
# Status labels written in exports (Chinese by design, like the headers).
STATUS_LABELS: dict[str, str] = {
    MemberStatus.ACTIVE: "正常",
    MemberStatus.RETAINED: "保留会籍",
    MemberStatus.TRANSFERRING: "转会中",
    MemberStatus.WITHDRAWN: "已退会",
    MemberStatus.EXPELLED: "已开除会籍",
    MemberStatus.LAPSED: "视为自动退会",
}
SEX_LABELS = {"male": "男", "female": "女"}


@functools.cache
def _form_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    with translation.override("en"):
        for code, labels in EMPLOYMENT_LABELS.items():
            for label in (code, str(EmploymentForm(code).label), *labels):
                lookup[label.lower().replace(" ", "")] = code
    return lookup


def employment_form_code(value: str) -> str | None:
    """The code for what a file says (a Chinese label, a code or an English label), or None when unknown."""
    return _form_lookup().get(value.lower().replace(" ", ""))


# --- cells -------------------------------------------------------------------------------------------------

# Zero-width characters, and the control characters that are not whitespace (a NUL cannot even be stored).
_INVISIBLE = dict.fromkeys(
    [*map(ord, "\u200b\u200c\u200d\u2060\ufeff"), *(c for c in range(32) if not chr(c).isspace()), 0x7F]
)
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Digits stored as a float lose everything after the 15th significant digit: an 18-digit ID number typed into
# a number-formatted cell is already wrong in the file.
FLOAT_DIGITS = 15


class CellError(ValueError):
    """A cell that cannot be read as the kind of value its column holds; the message is for people."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def text(value: Any) -> str:
    """A cell as tidy text: NFKC (full-width letters, digits and spaces folded), invisible characters gone,
    runs of spaces made one, digits stored as a float written without ".0"."""
    if value is None or value == "":
        return ""
    if type(value) is str and value.isascii():
        # NFKC leaves ASCII as it is: only the spaces to tidy, and rarely a control character (most cells of
        # a large file take this path).
        out = " ".join(value.split())
        return out if out.isprintable() else out.translate(_INVISIBLE)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**FLOAT_DIGITS:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    out = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return " ".join(out.split())


def compact(value: Any) -> str:
    """Text without any spaces or dashes inside (numbers and codes: "138 0000 0001", "330106-1990...")."""
    # text() has made every run of whitespace one space.
    return text(value).replace(" ", "").replace("-", "")


def digits_cell(value: Any) -> str:
    """An ID number, mobile number or code: compact text, upper case. A long number that Excel stored as a
    float has lost its last digits; that is reported rather than guessed."""
    if isinstance(value, float) and not isinstance(value, bool) and abs(value) >= 10**FLOAT_DIGITS:
        raise CellError(
            _(
                "Excel stored this long number as a number and lost digits; format the column as text and retype it."
            )
        )
    return compact(value).upper()


_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_MONTH_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月?"),
    re.compile(r"(\d{4})[./\-](\d{1,2})(?:[./\-]\d{1,2})?"),
    re.compile(r"(\d{4})(\d{2})"),
)


def _date_text(value: Any) -> str:
    """A date or month cell as text without spaces; unlike compact(), dashes stay: they separate 2024-3-5."""
    return text(value).replace(" ", "")


def _serial_date(number: float) -> datetime.date:
    # Excel's day 60 is the 29 February 1900 that never was; serials of real data are far above it.
    if not 1 <= number < 2_958_466:
        raise CellError(_("This is not a date."))
    return EXCEL_EPOCH + datetime.timedelta(days=int(number))


def date_cell(value: Any) -> datetime.date | None:
    """A date from a date cell, an Excel serial number, or text such as 2024年3月5日, 2024.3.5, 2024/03/05,
    2024-03-05 or 20240305. None for an empty cell."""
    if value is None or value == "":
        return None
    if type(value) is str and len(value) == 10 and value[4] == "-" == value[7]:
        try:  # 2024-03-05, as most files and every export write it
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass  # the patterns below report it
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return date_cell(str(int(value)))
        return _serial_date(float(value))
    raw = _date_text(value)
    if re.fullmatch(r"\d{5}(\.0+)?", raw):
        return _serial_date(float(raw))
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(raw)
        if match:
            try:
                return datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                break
    raise CellError(_("Write the date as 2024-03-05 or 2024年3月5日."))


def month_cell(value: Any) -> datetime.date | None:
    """The first day of the month a cell names: 2024-03, 2024年3月, 2024.3, 202403, or any date in the month."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date | datetime.datetime) or (
        isinstance(value, int | float) and not isinstance(value, bool) and not 190001 <= value <= 299912
    ):
        day = date_cell(value)
        return day.replace(day=1) if day else None
    raw = _date_text(value)
    for pattern in _MONTH_PATTERNS:
        match = pattern.fullmatch(raw)
        if match:
            try:
                return datetime.date(int(match[1]), int(match[2]), 1)
            except ValueError:
                break
    try:
        day = date_cell(raw)
    except CellError:
        raise CellError(_("Write the month as 2024-03 or 2024年3月.")) from None
    return day.replace(day=1) if day else None


def _header_key(value: Any) -> str:
    """A header as compared: no spaces, no required-marks (*, （必填）) and no trailing colon."""
    key = re.sub(r"\s", "", text(value))
    key = re.sub(r"[(（\[【]?(必填|选填|可选)[)）\]】]?", "", key)
    return key.strip("*:：")


# --- reading -----------------------------------------------------------------------------------------------

HEADER_SEARCH_ROWS = 50
CSV_CHUNK = 1024 * 1024
# Footnotes below the data ("合计", "填表人：…") and the template's example row are not data.
_NOT_DATA = re.compile(r"^(示例|例[:：]|合计|总计|小计|填表人|制表人|制表|审核人|说明|备注[:：]|注[:：])")


@dataclass
class Table:
    """An opened sheet: the header row found, where each known column is, and the data rows to stream."""

    header_row: int  # as numbered in the spreadsheet (1-based)
    index: dict[str, int]  # column key -> position
    headers: dict[str, str]  # column key -> the header as written in the file
    rows: Iterator[tuple[int, list[Any]]]  # (spreadsheet row number, cells) of non-empty data rows
    total_estimate: int  # data rows, counted or estimated before reading them
    extra: list[str] = field(default_factory=list)  # headers the layout does not know (ignored)

    def cell(self, cells: list[Any], key: str) -> Any:
        pos = self.index.get(key)
        if pos is None or pos >= len(cells):
            return ""
        return cells[pos]

    def has(self, key: str) -> bool:
        return key in self.index


def _match_header(
    cells: list[Any], layout: Layout
) -> tuple[dict[str, int], dict[str, str], list[str]] | None:
    keys = [_header_key(c) for c in cells]
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for column in layout.columns:
        names = {column.header, *column.aliases}
        for pos, key in enumerate(keys):
            if key in names and pos not in index.values():
                index[column.key], headers[column.key] = pos, text(cells[pos])
                break
    if any(c.key not in index for c in layout.required()):
        return None
    if layout.one_of and not any(k in index for k in layout.one_of):
        return None
    extra = [text(cells[p]) for p, k in enumerate(keys) if k and p not in index.values()]
    return index, headers, extra


def _no_header(layout: Layout) -> ServiceError:
    names = "、".join(c.header for c in layout.required())
    if layout.one_of:
        names += "、" + "/".join(c.header for c in layout.columns if c.key in layout.one_of)
    return ServiceError(
        "import_no_header",
        _(
            "No header row was found. The first sheet needs a row with the columns %(names)s; download the template."
        )
        % {"names": names},
        field="file",
    )


def _filled(cell: Any) -> bool:
    return cell is not None and cell != "" and (not isinstance(cell, str) or bool(cell.strip()))


def _data_rows(raw: Iterator[list[Any]], first_row: int) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(raw, start=first_row):
        # Only the first filled cell is needed for most rows (a million-row file passes here once per row).
        first = next((c for c in cells if _filled(c)), None)
        if first is None:
            continue
        head = text(first)
        if head.startswith("示例") or (_NOT_DATA.match(head) and sum(map(_filled, cells)) <= 2):
            continue
        yield number, cells if type(cells) is list else list(cells)


def _open(raw: Iterator[list[Any]], layout: Layout, total_rows: int | None) -> Table:
    for number in range(1, HEADER_SEARCH_ROWS + 1):
        try:
            cells = next(raw)
        except StopIteration:
            break
        found = _match_header(list(cells), layout)
        if found is not None:
            index, headers, extra = found
            estimate = max(0, (total_rows or 0) - number)
            return Table(number, index, headers, _data_rows(raw, number + 1), estimate, extra)
    raise _no_header(layout)


def read_xlsx(path: Path, layout: Layout) -> Table:
    """The first sheet of a workbook. calamine numbers rows from the top of the sheet, empty rows included,
    so the numbers reported are those the person sees in Excel."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        end = sheet.end
        rows = iter(sheet.iter_rows())
    except (CalamineError, OSError, ValueError) as exc:
        raise ServiceError(
            "import_unreadable", _("The workbook could not be read; save it again as .xlsx."), field="file"
        ) from exc
    return _open(rows, layout, (end[0] + 1) if end else 0)


def csv_encoding(path: Path) -> tuple[str, int]:
    """UTF-8 (with or without a byte order mark) or GB18030, decided by decoding the whole file as it
    streams; and the number of lines, for the progress bar."""
    with open(path, "rb") as handle:
        head = handle.read(3)
    encoding = "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"
    for candidate in (encoding, "gb18030"):
        decoder = codecs.getincrementaldecoder(candidate)()
        lines = 0
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(CSV_CHUNK):
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return candidate, lines + 1
    raise ServiceError(
        "import_encoding",
        _("The text file is neither UTF-8 nor GB18030; save it again as CSV UTF-8."),
        field="file",
    )


def read_csv(path: Path, layout: Layout) -> Table:
    encoding, lines = csv_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        first = handle.readline()
    # Files saved as "text (tab delimited)" are read too.
    delimiter = "\t" if first.count("\t") > first.count(",") else ","

    def rows() -> Generator[list[Any], None, None]:
        with open(path, encoding=encoding, newline="") as handle:
            yield from csv.reader(handle, delimiter=delimiter)

    raw = rows()
    try:
        return _open(raw, layout, lines)
    except ServiceError:
        raw.close()  # closes the file
        raise


def read_table(path: Path, kind: str) -> Table:
    layout = LAYOUTS[kind]
    if path.suffix.lower() == ".csv":
        return read_csv(path, layout)
    return read_xlsx(path, layout)


# --- writing -----------------------------------------------------------------------------------------------


class _Writer:
    """A workbook written row by row to a temporary file (constant memory), returned as bytes."""

    def __init__(self, *, constant_memory: bool = True) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.path = Path(self._tmp.name) / "out.xlsx"
        self.book = xlsxwriter.Workbook(
            str(self.path),
            {"constant_memory": constant_memory, "tmpdir": self._tmp.name, "strings_to_numbers": False},
        )
        self.header = self.book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.quoted = self.book.add_format({"quote_prefix": True})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.text_fmt = self.book.add_format({"num_format": "@"})

    def put(self, sheet: Any, row: int, col: int, value: Any) -> None:
        """One cell: dates as dates, numbers as numbers, everything else as a string that is never evaluated."""
        if value is None or value == "":
            return
        if isinstance(value, datetime.date):
            sheet.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), self.date)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(row, col, value)
        else:
            raw = str(value)
            # The rule of csv_safe: a text a spreadsheet would run gets the quote prefix (the xlsx form of the
            # leading apostrophe), so it shows and stays as typed.
            sheet.write_string(row, col, raw, self.quoted if csv_safe(raw) != raw else None)

    def close(self) -> bytes:
        self.book.close()
        data = self.path.read_bytes()
        self._tmp.cleanup()
        return data


def template_xlsx(kind: str) -> bytes:
    """The template for an import: a title, a note row, the header row, a sample row (marked 示例, skipped on
    import) and a drop-down list of employment forms."""
    layout = LAYOUTS[kind]
    w = _Writer(constant_memory=False)
    sheet = w.book.add_worksheet("导入")
    last = len(layout.columns) - 1
    title = w.book.add_format({"bold": True, "font_size": 14, "align": "center"})
    note = w.book.add_format({"font_color": "#666666", "text_wrap": True, "valign": "top"})
    sheet.merge_range(0, 0, 0, last, layout.title, title)
    notes = "带 * 的列必填。第 4 行为示例，导入时自动跳过，可以删除。请保留表头行；身份证号码等长数字请用文本格式。"
    sheet.merge_range(1, 0, 1, last, notes, note)
    sheet.set_row(1, 32)
    for col, column in enumerate(layout.columns):
        sheet.write_string(2, col, ("*" if column.required else "") + column.header, w.header)
        if column.note:
            sheet.write_comment(2, col, column.note)
        sheet.set_column(col, col, 22 if column.text else 16, w.text_fmt if column.text else None)
        example = column.example
        if col == 0 and example:
            example = f"示例：{example}" if column.key == "name" else example
        if example:
            sheet.write_string(3, col, example)
    if layout.columns[0].key != "name":
        sheet.write_string(3, 0, "示例")
    for col, column in enumerate(layout.columns):
        if column.key == "employment_form":
            sheet.data_validation(
                3,
                col,
                100_000,
                col,
                {
                    "validate": "list",
                    "source": [labels[0] for labels in EMPLOYMENT_LABELS.values()],
                    "error_type": "warning",
                },
            )
    sheet.freeze_panes(3, 0)
    return w.close()


def problems_xlsx(job: ImportJob) -> bytes:
    """The problems of an import: row, column, reason, in row order, for the unit to correct its file."""
    w = _Writer()
    sheet = w.book.add_worksheet("问题")
    for col, header in enumerate(("行号", "列", "问题")):  # row number, column, problem
        sheet.write_string(0, col, header, w.header)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 2, 60)
    for i, (row, column, reason) in enumerate(
        job.problems.order_by("row", "pk").values_list("row", "column", "reason").iterator(chunk_size=5000),
        start=1,
    ):
        sheet.write_number(i, 0, row)
        w.put(sheet, i, 1, column)
        w.put(sheet, i, 2, reason)
    return w.close()


# The member list: the import columns first (so a list can be corrected and imported again), then the rest.
EXPORT_HEADERS = (
    "会员编号",
    "姓名",
    "身份证号码",
    "手机号码",
    "工作单位",
    "统一社会信用代码",
    "就业形式",
    "工作地区划代码",
    "工作地点",
    "入会日期",
    "性别",
    "出生日期",
    "所属工会",
    "会籍状态",
    "离会日期",
)


def member_row(member: Member, *, masked: bool = True) -> list[Any]:
    labels = EMPLOYMENT_LABELS.get(member.employment_form)
    return [
        member.number,
        member.name,
        mask_id_number(member.id_number) if masked else member.id_number,
        mask_mobile(member.mobile) if masked else member.mobile,
        member.employer_name,
        member.employer_uscc,
        labels[0] if labels else member.employment_form,
        member.work_division_code,
        member.work_place,
        member.joined_on,
        SEX_LABELS.get(member.sex, ""),
        (member.birth_date.strftime("%Y") if masked else member.birth_date) if member.birth_date else "",
        member.org.name,
        STATUS_LABELS.get(member.status, member.status),
        member.left_on,
    ]


def members_xlsx(*, rows: Iterable[Member], masked: bool = True) -> bytes:
    """A member list as a workbook, written in constant memory (a district's list can be large). Masked by
    default: ID and mobile numbers show only their ends, the birth date only its year."""
    w = _Writer()
    sheet = w.book.add_worksheet("会员")
    for col, header in enumerate(EXPORT_HEADERS):
        sheet.write_string(0, col, header, w.header)
    sheet.set_column(0, len(EXPORT_HEADERS) - 1, 16)
    for i, member in enumerate(rows, start=1):
        for col, value in enumerate(member_row(member, masked=masked)):
            w.put(sheet, i, col, value)
    return w.close()


__all__ = [
    "LAYOUTS",
    "CellError",
    "Table",
    "date_cell",
    "digits_cell",
    "employment_form_code",
    "members_xlsx",
    "month_cell",
    "problems_xlsx",
    "read_table",
    "template_xlsx",
    "text",
]
