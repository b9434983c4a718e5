"""The report on proposals and their handling as a PDF and as a workbook.

The PDF is rendered from an HTML template with WeasyPrint, as the mediation agreement is (rights/documents.py):
A4, the font Noto Sans CJK SC (Debian's fonts-noto-cjk) embedded as a subset. It is a document of the congress,
so it is written in Chinese whatever the reader's interface language.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from gonghui.congress.models import Congress
from gonghui.suggestions.exports import xlsx_bytes

XLSX_HEADERS = [
    "编号",
    "提案标题",
    "提案人",
    "类别",
    "附议人数",
    "处理结果",
    "委员会意见",
    "转为建议",
    "承办部门",
    "答复期限",
    "答复日期",
    "按期答复",
    "答复内容",
    "提案人满意度",
]


def report_html(
    *, congress: Congress, rows: list[dict[str, Any]], totals: dict[str, int], since: datetime.datetime | None
) -> str:
    return render_to_string(
        "proposals/report_pdf.html",
        {
            "congress": congress,
            "rows": rows,
            "totals": totals,
            "since": timezone.localdate(since) if since else None,
            "today": timezone.localdate(),
        },
    )


def report_pdf(
    *, congress: Congress, rows: list[dict[str, Any]], totals: dict[str, int], since: datetime.datetime | None
) -> bytes:
    import weasyprint

    pdf = weasyprint.HTML(
        string=report_html(congress=congress, rows=rows, totals=totals, since=since), base_url=None
    ).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def report_xlsx(*, congress: Congress, rows: list[dict[str, Any]]) -> bytes:
    return xlsx_bytes(
        f"{congress.name}提案办理情况",
        XLSX_HEADERS,
        (
            [
                r["number"],
                r["title"],
                r["proposer"],
                r["category"],
                r["cosigners"],
                r["status_label"],
                r["decision_note"],
                r["suggestion"],
                r["department"],
                r["due_on"],
                r["answered_on"],
                ("是" if r["on_time"] else "否") if r["answered_on"] else "",
                r["answer"],
                r["satisfaction"],
            ]
            for r in rows
        ),
    )
