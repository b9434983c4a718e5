"""The annual list of rationalisation suggestions as a workbook.

Every text cell is written with `write_string` (never evaluated) and, when a spreadsheet would take it for a
formula under core.exports.csv_safe's rule, with the quote prefix, so it stays text when someone edits it.
The headers are Chinese by design: this is a file a union files and hands on, like the member lists.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from gonghui.core.exports import csv_safe

from .models import Suggestion


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook: a title row, a header row and the rows; dates, numbers and safe text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet("清单")
    bold = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    quoted = book.add_format({"quote_prefix": True})
    money = book.add_format({"num_format": "#,##0.00"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, title, bold)
    for col, text in enumerate(headers):
        sheet.write_string(1, col, text, header)
        sheet.set_column(col, col, 18)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value.replace(tzinfo=None), date)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date)
            elif isinstance(value, Decimal):
                sheet.write_number(r, c, float(value), money)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                text = str(value)
                sheet.write_string(r, c, text, quoted if csv_safe(text) != text else None)
    book.close()
    return buffer.getvalue()


ANNUAL_HEADERS = [
    "编号",
    "工会",
    "提出人",
    "标题",
    "类别",
    "状态",
    "提出日期",
    "评审意见",
    "不采纳理由",
    "实施日期",
    "实施情况",
    "效益（元）",
    "效益说明",
    "奖励形式",
    "奖励金额（元）",
]


def annual_rows(items: Iterable[Suggestion]) -> Iterable[list[Any]]:
    from django.utils import timezone

    for s in items:
        yield [
            s.number,
            s.org.name,
            s.submitter_name,
            s.title,
            str(s.get_category_display()),
            str(s.get_status_display()),
            timezone.localdate(s.submitted_at),
            s.evaluation_notes,
            s.reason,
            s.implemented_on,
            s.implementation_note,
            s.benefit_amount,
            s.benefit_description,
            str(s.get_reward_form_display()) if s.reward_form else "",
            s.reward_amount,
        ]
