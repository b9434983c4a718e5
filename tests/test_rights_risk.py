"""The labour-relations risk warning: the score rules at their boundaries, weights and thresholds as data
(the nearest union up the tree wins), indicators imported by file and API (every bad row reported and then
nothing written; a re-import changes nothing), scores from requests inside and outside the window, one notice
per rise, and scope on every console page and API endpoint."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.core.errors import NotFound, PermissionDenied, ServiceError
from gonghui.core.identifiers import uscc_with_check
from gonghui.core.models import AuditRecord, Notice
from gonghui.orgs.models import Role
from gonghui.rights import rules, selectors
from gonghui.rights import services as svc
from gonghui.rights.models import (
    Case,
    EmployerIndicator,
    EmployerRisk,
    RiskIndicator,
    RiskLevel,
    RiskPolicy,
    RiskWeight,
)
from gonghui.rights.rules import DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS, Thresholds, Weight
from tests.conftest import CastClient, make_user

pytestmark = pytest.mark.django_db

D = Decimal
# Employers registered in district A (西湖区 330106) and district B (滨江区 330108): the credit code says where.
USCC_A = uscc_with_check("91330106MA2B3C4D5")
USCC_A2 = uscc_with_check("91330106MA2K7L8M9")
USCC_B = uscc_with_check("91330108MA2H3T4X5")
TODAY = datetime.date(2026, 11, 20)
DESCRIPTION = "公司已经三个月没有发工资了，一共拖欠两万多元。"


# --- the rules ---------------------------------------------------------------------------------------------------


def test_a_score_exactly_at_a_threshold_reaches_that_level():
    t = Thresholds(yellow=20, orange=40, red=60)
    w = {RiskIndicator.WAGE_REQUESTS: Weight(D(10), D(100))}
    assert rules.score({"wage_requests": 1}, w, t)[:2] == (D(10), RiskLevel.NONE)
    assert rules.score({"wage_requests": 2}, w, t)[:2] == (D(20), RiskLevel.YELLOW)
    assert rules.score({"wage_requests": 4}, w, t)[:2] == (D(40), RiskLevel.ORANGE)
    assert rules.score({"wage_requests": 6}, w, t)[:2] == (D(60), RiskLevel.RED)
    just_below = rules.score({"wage_requests": D("5.99")}, w, t)
    assert just_below[0] == D("59.90") and just_below[1] == RiskLevel.ORANGE


def test_each_indicator_is_capped_and_reasons_come_largest_first():
    total, level, reasons = rules.score(
        {"wage_requests": 9, "si_arrears": 2, "closures": 1, "utility_arrears": 0}, DEFAULT_WEIGHTS
    )
    # wages 9 x 10 capped at 40, closure 40, social insurance 2 x 8 = 16; utilities 0 is not a reason.
    assert total == D(96) and level == RiskLevel.RED
    assert [(r.indicator, r.value, r.points) for r in reasons] == [
        ("wage_requests", D(9), D(40)),
        ("closures", D(1), D(40)),
        ("si_arrears", D(2), D(16)),
    ]
    assert reasons[0].as_json() == {"indicator": "wage_requests", "value": "9", "points": "40"}


def test_nothing_scores_nothing_and_a_zero_weight_leaves_an_indicator_out():
    assert rules.score({}, DEFAULT_WEIGHTS) == (D(0), RiskLevel.NONE, [])
    off = {**DEFAULT_WEIGHTS, RiskIndicator.CLOSURES: Weight(D(0), D(40))}
    assert rules.score({"closures": 1}, off)[0] == D(0)


def test_the_defaults_are_the_documented_ones():
    assert Thresholds(20, 40, 60) == DEFAULT_THRESHOLDS
    assert DEFAULT_WEIGHTS[RiskIndicator.WAGE_REQUESTS] == Weight(D(10), D(40))
    assert set(DEFAULT_WEIGHTS) == set(RiskIndicator.values)
    # A closure alone is orange; layoffs alone yellow; five months of social-insurance arrears orange.
    assert rules.score({"closures": 1}, DEFAULT_WEIGHTS)[1] == RiskLevel.ORANGE
    assert rules.score({"layoffs": 3}, DEFAULT_WEIGHTS)[:2] == (D(20), RiskLevel.YELLOW)
    assert rules.score({"si_arrears": 9}, DEFAULT_WEIGHTS)[:2] == (D(40), RiskLevel.ORANGE)


def test_the_window_counts_today_and_the_days_before_it():
    assert rules.in_window(TODAY, TODAY, 90)
    assert rules.in_window(TODAY - datetime.timedelta(days=89), TODAY, 90)
    assert not rules.in_window(TODAY - datetime.timedelta(days=90), TODAY, 90)
    assert not rules.in_window(TODAY + datetime.timedelta(days=1), TODAY, 90)


def test_a_level_rises_only_upwards():
    assert rules.rises("red", "orange") and rules.rises("yellow", "none")
    assert not rules.rises("orange", "orange") and not rules.rises("yellow", "red")


# --- weights and thresholds as data --------------------------------------------------------------------------


def test_the_nearest_union_up_the_tree_sets_the_weights_and_thresholds(
    tree, province_cadre, district_cadre_a
):
    svc.risk_weight_set(
        actor=province_cadre, org=tree.province, indicator="wage_requests", points=D(15), cap=D(45)
    )
    svc.risk_weight_set(
        actor=district_cadre_a, org=tree.district_a, indicator="wage_requests", points=D(5), cap=D(10)
    )
    svc.risk_policy_set(actor=province_cadre, org=tree.province, window_days=30, yellow=10, orange=30, red=50)
    assert selectors.risk_weights_for(tree.grassroots_a)["wage_requests"] == Weight(D(5), D(10))
    assert selectors.risk_weights_for(tree.grassroots_b)["wage_requests"] == Weight(D(15), D(45))
    assert selectors.risk_weights_for(tree.grassroots_b)["closures"] == DEFAULT_WEIGHTS["closures"]
    assert selectors.risk_weights_for(tree.national)["wage_requests"] == DEFAULT_WEIGHTS["wage_requests"]
    policy = selectors.risk_policy_for(tree.grassroots_a)
    assert (policy.org, policy.window_days, policy.yellow) == (tree.province, 30, 10)
    assert selectors.risk_policy_for(tree.national).pk is None  # the defaults
    table = {row.indicator: row for row in selectors.risk_weights_table(tree.grassroots_a)}
    assert table["wage_requests"].source == tree.district_a and table["closures"].source is None


def test_weights_and_thresholds_are_checked_and_need_org_change(
    tree, district_cadre_a, viewer_a, district_cadre_b
):
    with pytest.raises(ServiceError) as exc:
        svc.risk_policy_set(
            actor=district_cadre_a, org=tree.district_a, window_days=90, yellow=40, orange=40, red=60
        )
    assert exc.value.code == "invalid_thresholds"
    with pytest.raises(ServiceError):
        svc.risk_weight_set(
            actor=district_cadre_a, org=tree.district_a, indicator="nope", points=D(1), cap=D(1)
        )
    with pytest.raises(ServiceError):
        svc.risk_weight_set(
            actor=district_cadre_a, org=tree.district_a, indicator="closures", points=D(-1), cap=D(1)
        )
    with pytest.raises(PermissionDenied):
        svc.risk_policy_set(actor=viewer_a, org=tree.district_a, window_days=90, yellow=20, orange=40, red=60)
    with pytest.raises(NotFound):
        svc.risk_weight_set(
            actor=district_cadre_b, org=tree.district_a, indicator="closures", points=D(1), cap=D(1)
        )
    assert not RiskPolicy.objects.exists() and not RiskWeight.objects.exists()


# --- scores from requests ------------------------------------------------------------------------------------


def _case(
    *, received_on, uscc=USCC_A, division="330106", category="wages", workers=1, signal="", employer_org=None
):
    data = svc.CaseInput(
        category=category,
        description=DESCRIPTION,
        employer_uscc=uscc,
        employer_name="西溪数码有限公司" if uscc else "",
        work_division_code=division,
        contact_mobile="13912345678",
        workers_affected=workers,
    )
    case, _code = svc.case_submit(user=None, data=data, employer_org=employer_org)
    Case.objects.filter(pk=case.pk).update(received_on=received_on, risk_signal=signal)
    return case


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def test_requests_inside_the_window_count_and_older_ones_do_not(tree):
    for n in (0, 10, 89):
        _case(received_on=days_ago(n))
    _case(received_on=days_ago(90))  # just outside the default 90 days
    _case(received_on=days_ago(5), category="contract", workers=12)  # collective: 20
    svc.risks_compute(today=TODAY)
    risk = EmployerRisk.objects.get(employer_uscc=USCC_A)
    assert risk.score == D(50) and risk.level == RiskLevel.ORANGE
    assert risk.org == tree.district_a  # no union has the code: the district of the place of work
    assert risk.reasons == [
        {"indicator": "wage_requests", "value": "3", "points": "30"},
        {"indicator": "collective_cases", "value": "1", "points": "20"},
    ]
    # A shorter window at the district: only the last 30 days count.
    RiskPolicy.objects.create(org=tree.district_a, window_days=30)
    svc.risks_compute(today=TODAY)
    risk.refresh_from_db()
    assert risk.score == D(40) and risk.reasons[0] == {
        "indicator": "wage_requests",
        "value": "2",
        "points": "20",
    }


def test_the_employers_own_union_is_responsible_when_it_has_the_code(tree):
    tree.grassroots_b.uscc = USCC_B
    tree.grassroots_b.save()
    _case(received_on=days_ago(1), uscc=USCC_B, division="330106", signal="closure")
    svc.risks_compute(today=TODAY)
    risk = EmployerRisk.objects.get(employer_uscc=USCC_B)
    assert risk.org == tree.grassroots_b and risk.level == RiskLevel.ORANGE
    assert risk.reasons[0]["indicator"] == "closures"


def test_requests_naming_only_the_employers_union_are_grouped_by_it(tree):
    for n in (1, 2):
        _case(received_on=days_ago(n), uscc="", employer_org=tree.grassroots_a)
    _case(received_on=days_ago(1), uscc="")  # only a name: not scored
    result = svc.risks_compute(today=TODAY)
    risk = EmployerRisk.objects.get()
    assert risk.employer_uscc == f"org-{tree.grassroots_a.pk}" and risk.org == tree.grassroots_a
    assert risk.score == D(20) and result.scored == 1


def test_a_rise_notifies_the_unions_handlers_once_and_again_after_a_fall(tree, district_cadre_a, chair_a):
    handler = make_user("13800000020", "赵维权", Role.CASE_HANDLER, tree.district_a)
    warnings = Notice.objects.filter(user=handler, url__contains="/rights/risk/")
    for n in (1, 2):
        _case(received_on=days_ago(n))
    assert svc.risks_compute(today=TODAY).warned == 1
    risk = EmployerRisk.objects.get()
    assert risk.level == RiskLevel.YELLOW and risk.notified_level == RiskLevel.YELLOW
    assert warnings.count() == 1 and "西溪数码有限公司" in warnings.get().text
    assert AuditRecord.objects.filter(action="gonghui.rights.risk.warned").count() == 1
    # Idempotent: the same data tells nobody again.
    assert svc.risks_compute(today=TODAY).warned == 0
    assert warnings.count() == 1
    # Time passes: the requests leave the window and the level falls, which resets the memory...
    later = TODAY + datetime.timedelta(days=100)
    assert svc.risks_compute(today=later).warned == 0
    risk.refresh_from_db()
    assert risk.level == RiskLevel.NONE and risk.notified_level == RiskLevel.NONE and risk.score == 0
    # ...so that a new rise tells the union again.
    Case.objects.update(received_on=later)
    assert svc.risks_compute(today=later).warned == 1
    assert warnings.count() == 2
    assert AuditRecord.objects.filter(action="gonghui.rights.risk.warned").count() == 2
    # The grassroots chair below is not told: the district is responsible.
    assert not Notice.objects.filter(user=chair_a, url__contains="/rights/risk/").exists()


def test_compute_works_on_whatever_exists(tree):
    assert svc.risks_compute(today=TODAY).employers == 0
    _case(received_on=days_ago(1), uscc="")
    assert svc.risks_compute().scored == 0


# --- the sign of trouble -------------------------------------------------------------------------------------


def test_the_handler_marks_a_sign_of_trouble_and_the_score_follows(tree, district_cadre_a, chair_b):
    case = _case(received_on=TODAY)
    with pytest.raises(ServiceError) as exc:
        svc.case_mark_signal(actor=district_cadre_a, case=case, signal="layoff")
    assert exc.value.code == "not_taken"
    svc.case_acknowledge(actor=district_cadre_a, case=case)
    with pytest.raises(NotFound):
        svc.case_mark_signal(actor=chair_b, case=case, signal="layoff")
    with pytest.raises(ServiceError):
        svc.case_mark_signal(actor=district_cadre_a, case=case, signal="bankrupt")
    svc.case_mark_signal(actor=district_cadre_a, case=case, signal="closure")
    case.refresh_from_db()
    assert case.risk_signal == "closure"
    assert case.events.filter(kind="note", visible_to_worker=False, note__contains="Closure").exists() or (
        case.events.filter(kind="note", visible_to_worker=False).count() == 1
    )
    assert AuditRecord.objects.filter(action="gonghui.rights.case.signal_marked").count() == 1
    risk = EmployerRisk.objects.get()
    assert risk.score == D(50) and risk.level == RiskLevel.ORANGE  # one wage request and a closure


# --- the import ----------------------------------------------------------------------------------------------


def full_width(value: str) -> str:
    """The way some Chinese input methods type codes and numbers: full-width characters."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in value)


def xlsx(rows: list[list[object]], *, title: str | None = "劳动关系风险指标") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    start = 0
    if title:
        sheet.write_string(0, 0, title)  # a title row above the header, as real files have
        start = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(start + r, c, value)
            elif value is not None:
                sheet.write_string(start + r, c, str(value))
    book.close()
    return SimpleUploadedFile("指标.xlsx", buffer.getvalue())


def gb18030_csv(rows: list[list[object]]) -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile("indicators.csv", out.getvalue().encode("gb18030"), content_type="text/csv")


HEADER = [" 统一社会信用代码 ", "单位名称", "指 标", "数值", "日期", "纬度", "经度"]
MESSY = [
    HEADER,
    [
        f" {full_width(USCC_A[:9])} {USCC_A[9:]} ",
        "西溪数码有限公司",
        "社保欠费月数",
        "３",
        "2026年11月1日",
        "",
        "",
    ],
    [
        "91330106MA2B3C4D5Z",
        "坏代码公司",
        "si_arrears",
        1,
        "2026-11-01",
        None,
        None,
    ],  # row 4: bad check character
    [USCC_A2, "西溪物流有限公司", "电费", 2, "2026-11-01", None, None],  # row 5: unknown indicator
    [USCC_A2, "西溪物流有限公司", "水电欠费月数", 2, "2026-13-45", None, None],  # row 6: no such date
    [
        USCC_B,
        "长河半导体有限公司",
        "劳动仲裁案件数",
        1,
        "2026-11-01",
        None,
        None,
    ],  # row 7: district B's employer
    [USCC_A, "西溪数码有限公司", "arbitration_cases", -1, "2026-11-01", "30.27", ""],  # row 8: two problems
]
CLEAN = [
    HEADER,
    [USCC_A, "西溪数码有限公司", "社保欠费月数", "3", "2026-11-01", "30.2741", "120.1551"],
    [USCC_A, "西溪数码有限公司", "劳动仲裁案件数", "2", "2026/11/01", "30.2741", "120.1551"],
    [full_width(USCC_A2), "西溪物流有限公司", "Months of utility arrears", "２", "20261101", "", ""],
]


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_a_messy_file_reports_every_bad_row_and_writes_nothing(tree, district_cadre_a, frozen):
    result = svc.indicators_import(actor=district_cadre_a, org=tree.district_a, upload=xlsx(MESSY))
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert found == {
        (4, "统一社会信用代码"),
        (5, "指 标"),  # the header as the file writes it
        (6, "日期"),
        (7, "统一社会信用代码"),
        (8, "数值"),
        (8, "经度"),
    }, result.problems
    assert all(p.reason for p in result.problems)
    assert not EmployerIndicator.objects.exists() and not EmployerRisk.objects.exists()


def test_a_clean_file_is_written_and_the_same_file_again_changes_nothing(tree, district_cadre_a, frozen):
    first = svc.indicators_import(actor=district_cadre_a, org=tree.district_a, upload=gb18030_csv(CLEAN))
    assert first.ok and (first.rows, first.created, first.unchanged) == (3, 3, 0)
    assert EmployerIndicator.objects.count() == 3
    risk = EmployerRisk.objects.get(employer_uscc=USCC_A)
    # Three months of social insurance (24) and two arbitration cases (10): yellow.
    assert risk.score == D(34) and risk.level == RiskLevel.YELLOW and risk.org == tree.district_a
    assert (risk.latitude, risk.longitude) == (D("30.274100"), D("120.155100"))
    assert EmployerRisk.objects.get(employer_uscc=USCC_A2).score == D(10)
    snapshot = list(EmployerIndicator.objects.order_by("pk").values_list("pk", "value", "as_of"))
    notices = Notice.objects.count()
    again = svc.indicators_import(actor=district_cadre_a, org=tree.district_a, upload=gb18030_csv(CLEAN))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(EmployerIndicator.objects.order_by("pk").values_list("pk", "value", "as_of")) == snapshot
    assert Notice.objects.count() == notices
    assert EmployerRisk.objects.get(employer_uscc=USCC_A).score == D(34)
    # A later value counts; the older one stays in the history.
    later = [HEADER, [USCC_A, "西溪数码有限公司", "社保欠费月数", "6", "2026-11-15", "", ""]]
    assert svc.indicators_import(
        actor=district_cadre_a, org=tree.district_a, upload=xlsx(later, title=None)
    ).ok
    assert EmployerRisk.objects.get(employer_uscc=USCC_A).score == D(50)
    assert EmployerIndicator.objects.filter(employer_uscc=USCC_A).count() == 3


def test_the_api_rows_get_the_same_checks(tree, district_cadre_a, frozen):
    rows = [
        {
            "uscc": USCC_A,
            "name": "西溪数码有限公司",
            "indicator": "si_arrears",
            "value": 5,
            "as_of": "2026-11-01",
        },
        {
            "uscc": USCC_A,
            "name": "西溪数码有限公司",
            "indicator": "si_arrears",
            "value": 6,
            "as_of": "2026-11-01",
        },
        {"uscc": USCC_A, "name": "", "indicator": "x", "value": "a", "as_of": "2099-01-01"},
    ]
    result = svc.indicators_put(actor=district_cadre_a, org=tree.district_a, rows=rows)
    assert {(p.row, p.column) for p in result.problems} == {
        (2, "value"),  # another value for the same employer, indicator and date
        (3, "name"),
        (3, "indicator"),
        (3, "value"),
        (3, "as_of"),
    }
    assert not EmployerIndicator.objects.exists()


def test_importing_needs_case_handling_at_the_union(tree, viewer_a, district_cadre_b, frozen):
    with pytest.raises(PermissionDenied):
        svc.indicators_import(actor=viewer_a, org=tree.district_a, upload=gb18030_csv(CLEAN))
    with pytest.raises(NotFound):
        svc.indicators_import(actor=district_cadre_b, org=tree.district_a, upload=gb18030_csv(CLEAN))
    # District B's cadre at their own union: district A's employers are refused row by row.
    result = svc.indicators_import(actor=district_cadre_b, org=tree.district_b, upload=gb18030_csv(CLEAN))
    assert [p.row for p in result.problems] == [2, 3, 4] and not EmployerIndicator.objects.exists()


def test_the_template_has_the_chinese_headers_and_imports_as_nothing():
    from python_calamine import CalamineWorkbook

    data = svc.indicators_template_xlsx()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[2][:7] == ["*统一社会信用代码", "*单位名称", "*指标", "*数值", "*日期", "纬度", "经度"]
    assert rows[3][0] == "示例"


def test_indicators_are_known_by_code_chinese_or_english_label():
    from gonghui.rights.services.risk_indicators import indicator_code

    assert indicator_code("社保欠费月数") == indicator_code(" si_arrears ") == "si_arrears"
    assert indicator_code("Months of utility arrears") == "utility_arrears"
    assert indicator_code("劳 动 仲 裁") == "arbitration_cases"
    assert indicator_code("wage_requests") is None  # counted from requests, never imported


# --- console and API: pages, scope ---------------------------------------------------------------------------


def logged_in(user) -> CastClient:
    client = CastClient()
    client.force_login(user)
    return client


@pytest.fixture
def warned_a(tree, district_cadre_a):
    """A red employer in district A with coordinates and one request taken on by Li, district A's cadre."""
    case = _case(received_on=TODAY, signal="closure")
    _case(received_on=TODAY)
    svc.case_acknowledge(actor=district_cadre_a, case=case)
    svc.risks_compute(today=TODAY)
    risk = EmployerRisk.objects.get(employer_uscc=USCC_A)
    EmployerRisk.objects.filter(pk=risk.pk).update(latitude=D("30.2741"), longitude=D("120.1551"))
    risk.refresh_from_db()
    assert risk.level == RiskLevel.RED and risk.score == D(60)
    return risk, case


def console_pages(risk, case):
    return [
        ("get", reverse("console:risk_list"), None),
        ("get", reverse("console:risk_map"), None),
        ("get", reverse("console:risk_detail", args=[risk.pk]), None),
        ("get", reverse("console:risk_import"), None),
        ("post", reverse("console:risk_import"), {"file": gb18030_csv(CLEAN)}),
        ("get", reverse("console:risk_template"), None),
        ("get", reverse("console:risk_rules"), None),
        (
            "post",
            reverse("console:risk_rules"),
            {"action": "policy", "window_days": 30, "yellow": 1, "orange": 2, "red": 3},
        ),
        ("post", reverse("console:rights_case_signal", args=[case.pk]), {"signal": "layoff"}),
    ]


def test_the_list_shows_levels_and_reasons_red_first(tree, district_cadre_a, warned_a):
    risk, _ = warned_a
    other = EmployerRisk.objects.create(
        employer_uscc=USCC_A2,
        employer_name="西溪物流有限公司",
        org=tree.district_a,
        score=25,
        level="yellow",
        reasons=[{"indicator": "si_arrears", "value": "3", "points": "24"}],
        computed_at=risk.computed_at,
    )
    page = logged_in(district_cadre_a).get(reverse("console:risk_list")).content.decode()
    assert page.index("西溪数码有限公司") < page.index("西溪物流有限公司")
    assert 'data-level="red"' in page and 'data-level="yellow"' in page
    assert "risk-red" in page and "→ 40" in page  # the closure reason and its points
    filtered = (
        logged_in(district_cadre_a).get(reverse("console:risk_list") + "?level=yellow").content.decode()
    )
    assert other.employer_name in filtered and risk.employer_name not in filtered
    sidebar = page[page.index('class="sidenav"') : page.index("</nav>", page.index('class="sidenav"'))]
    assert sidebar.count('class="active"') == 1 and reverse("console:risk_list") in sidebar


def test_the_map_page_renders_its_json_without_tiles(tree, district_cadre_a, warned_a):
    response = logged_in(district_cadre_a).get(reverse("console:risk_map"))
    page = response.content.decode()
    start = page.index('<script id="risk-map-data" type="application/json">') + len(
        '<script id="risk-map-data" type="application/json">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["tiles"] == "" and len(data["points"]) == 1
    point = data["points"][0]
    assert (
        point["name"] == "西溪数码有限公司"
        and point["level"] == "red"
        and point["lat"] == pytest.approx(30.2741)
    )
    assert 'data-testid="risk-map-no-tiles"' in page and "vendor/leaflet/leaflet.js" in page
    assert "<script>" not in page  # no inline script: the page script reads the JSON
    assert "https://" not in response["Content-Security-Policy"]


def test_the_map_loads_tiles_only_from_the_configured_server(tree, district_cadre_a, warned_a, settings):
    settings.GONGHUI_MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    response = logged_in(district_cadre_a).get(reverse("console:risk_map"))
    assert "img-src 'self' data: https://*.tiles.example.org" in response["Content-Security-Policy"]
    assert 'data-testid="risk-map-no-tiles"' not in response.content.decode()
    from gonghui.console.views.rights_risk import tile_source

    assert tile_source("https://tile.example.org/{z}/{x}/{y}.png") == "https://tile.example.org"
    assert tile_source("javascript:alert(1)") == ""


def test_the_detail_shows_reasons_requests_and_indicators(tree, district_cadre_a, warned_a, frozen):
    risk, case = warned_a
    svc.indicators_import(actor=district_cadre_a, org=tree.district_a, upload=gb18030_csv(CLEAN))
    page = logged_in(district_cadre_a).get(reverse("console:risk_detail", args=[risk.pk])).content.decode()
    assert case.number in page and 'data-testid="risk-indicators"' in page and "2026-11-01" in page
    assert USCC_A in page and tree.district_a.name in page


def test_the_import_page_lists_every_bad_row_or_says_how_many_were_imported(tree, district_cadre_a, frozen):
    client = logged_in(district_cadre_a)
    page = client.post(reverse("console:risk_import"), {"file": xlsx(MESSY)}).content.decode()
    assert 'data-testid="risk-import-problems"' in page
    assert page.count("<tr><td>") >= 6 and "<td>8</td>" in page
    assert not EmployerIndicator.objects.exists()
    done = client.post(reverse("console:risk_import"), {"file": gb18030_csv(CLEAN)}, follow=True)
    assert EmployerIndicator.objects.count() == 3 and "3" in done.content.decode()
    template = client.get(reverse("console:risk_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def test_an_org_admin_sets_the_unions_thresholds_and_the_page_says_where_they_come_from(
    tree, district_cadre_a, province_cadre
):
    RiskPolicy.objects.create(org=tree.province, window_days=60, yellow=15, orange=35, red=55)
    client = logged_in(district_cadre_a)
    page = client.get(reverse("console:risk_rules")).content.decode()
    assert tree.province.name in page and "15" in page
    client.post(
        reverse("console:risk_rules"),
        {"action": "weight", "indicator": "closures", "points": "50", "cap": "50"},
    )
    client.post(
        reverse("console:risk_rules"),
        {"action": "policy", "window_days": 30, "yellow": 10, "orange": 20, "red": 30},
    )
    assert RiskPolicy.objects.get(org=tree.district_a).red == 30
    assert RiskWeight.objects.get(org=tree.district_a).points == D(50)


def test_a_case_handler_sees_the_rules_but_may_not_change_them(tree, warned_a):
    handler = make_user("13800000020", "赵维权", Role.CASE_HANDLER, tree.district_a)
    client = logged_in(handler)
    assert client.get(reverse("console:risk_rules")).status_code == 200
    response = client.post(
        reverse("console:risk_rules"),
        {"action": "policy", "window_days": 30, "yellow": 1, "orange": 2, "red": 3},
    )
    assert response.status_code == 403 and not RiskPolicy.objects.exists()


def test_the_handler_marks_a_sign_of_trouble_from_the_request_page(tree, district_cadre_a, warned_a):
    risk, case = warned_a
    client = logged_in(district_cadre_a)
    page = client.get(reverse("console:rights_case", args=[case.pk])).content.decode()
    assert 'data-testid="case-signal"' in page and 'value="closure" selected' in page
    response = client.post(reverse("console:rights_case_signal", args=[case.pk]), {"signal": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    risk.refresh_from_db()
    assert case.risk_signal == "" and risk.score == D(20) and risk.level == RiskLevel.YELLOW


@pytest.mark.parametrize("outsider", ["district_cadre_b", "chair_b"])
def test_another_districts_cadre_sees_nothing_of_district_a(request, tree, warned_a, outsider, frozen):
    risk, case = warned_a
    client = logged_in(request.getfixturevalue(outsider))
    hidden = {
        reverse("console:risk_detail", args=[risk.pk]),
        reverse("console:rights_case_signal", args=[case.pk]),
    }
    for method, url, data in console_pages(risk, case):
        response = getattr(client, method)(url, data or {})
        if url in hidden:
            assert response.status_code == 404, url
        else:
            # Their own union's pages: district A's employer is not there, and a file of A's employers is refused.
            assert response.status_code in (200, 302), url
            assert "西溪数码".encode() not in response.content, url
    case.refresh_from_db()
    assert case.risk_signal == "closure" and not EmployerIndicator.objects.exists()
    assert not RiskPolicy.objects.filter(org__in=[tree.district_a]).exists()


def test_a_viewer_is_refused_every_risk_page(tree, viewer_a, warned_a, frozen):
    risk, case = warned_a
    client = logged_in(viewer_a)
    for method, url, data in console_pages(risk, case):
        assert getattr(client, method)(url, data or {}).status_code == 403, url
    assert not EmployerIndicator.objects.exists() and not RiskPolicy.objects.exists()
    assert "rights/risk/" not in client.get(reverse("console:dashboard")).content.decode()  # no sidebar line


# --- API ---------------------------------------------------------------------------------------------------------

API = "/api/v1/rights/risk"


def call(client, method, path, data=None):
    return client.generic(method, API + path, json.dumps(data or {}), content_type="application/json")


def api_calls(tree, risk, case):
    a = tree.district_a.pk
    rows = {
        "rows": [
            {
                "uscc": USCC_A,
                "name": "西溪数码有限公司",
                "indicator": "si_arrears",
                "value": 2,
                "as_of": "2026-11-01",
            }
        ]
    }
    return [
        ("get", f"/warnings?org_id={a}", None),
        ("get", f"/warnings/{risk.pk}", None),
        ("post", f"/indicators?org_id={a}", rows),
        ("get", f"/rules?org_id={a}", None),
        ("put", f"/weights?org_id={a}", {"indicator": "closures", "points": 1, "cap": 1}),
        ("put", f"/policy?org_id={a}", {"window_days": 30, "yellow": 1, "orange": 2, "red": 3}),
        ("post", f"/cases/{case.pk}/signal", {"signal": "layoff"}),
    ]


def test_the_api_lists_details_imports_and_sets_the_rules(tree, district_cadre_a, warned_a, frozen):
    risk, case = warned_a
    client = logged_in(district_cadre_a)
    listed = call(client, "get", "/warnings").json()
    assert listed["count"] == 1 and listed["items"][0]["level"] == "red"
    assert listed["items"][0]["reasons"][0] == {
        "indicator": "closures",
        "label": listed["items"][0]["reasons"][0]["label"],
        "value": "1",
        "points": "40",
    }
    detail = call(client, "get", f"/warnings/{risk.pk}").json()
    assert {c["number"] for c in detail["cases"]} == set(Case.objects.values_list("number", flat=True))
    bad = call(
        client,
        "post",
        f"/indicators?org_id={tree.district_a.pk}",
        {"rows": [{"uscc": "x", "name": "", "indicator": "si_arrears", "value": 1, "as_of": "2026-11-01"}]},
    )
    assert bad.status_code == 400 and {p["field"] for p in bad.json()["error"]["details"]["problems"]} == {
        "uscc",
        "name",
    }
    rows = [
        {
            "uscc": USCC_A,
            "name": "西溪数码有限公司",
            "indicator": "社保欠费月数",
            "value": "２",
            "as_of": "2026-11-01",
        }
    ]
    ok = call(client, "post", f"/indicators?org_id={tree.district_a.pk}", {"rows": rows})
    assert ok.status_code == 200 and ok.json()["created"] == 1
    assert (
        call(client, "post", f"/indicators?org_id={tree.district_a.pk}", {"rows": rows}).json()["unchanged"]
        == 1
    )
    assert call(client, "get", f"/warnings/{risk.pk}").json()["score"] in ("76", "76.00", 76)
    rules_ = call(
        client,
        "put",
        f"/policy?org_id={tree.district_a.pk}",
        {"window_days": 30, "yellow": 10, "orange": 20, "red": 100},
    ).json()
    assert rules_["policy"]["source_org"]["id"] == tree.district_a.pk and rules_["policy"]["red"] == 100
    weights = call(
        client,
        "put",
        f"/weights?org_id={tree.district_a.pk}",
        {"indicator": "closures", "points": 10, "cap": 10},
    ).json()
    assert (
        next(w for w in weights["weights"] if w["indicator"] == "closures")["source_org"]["id"]
        == tree.district_a.pk
    )
    signal = call(client, "post", f"/cases/{case.pk}/signal", {"signal": "relocation"})
    assert signal.status_code == 200 and signal.json()["risk_signal"] == "relocation"


@pytest.mark.parametrize("outsider", ["district_cadre_b", "chair_b"])
def test_the_api_gives_another_district_404(request, tree, warned_a, outsider, frozen):
    risk, case = warned_a
    client = logged_in(request.getfixturevalue(outsider))
    for method, path, data in api_calls(tree, risk, case):
        response = call(client, method, path, data)
        assert response.status_code == 404, (path, response.content)
    assert call(client, "get", "/warnings").json()["count"] == 0
    assert not EmployerIndicator.objects.exists() and not RiskPolicy.objects.exists()


def test_the_api_refuses_a_viewer_with_403(tree, viewer_a, warned_a, frozen):
    risk, case = warned_a
    client = logged_in(viewer_a)
    for method, path, data in api_calls(tree, risk, case):
        response = call(client, method, path, data)
        assert response.status_code == 403, (path, response.content)
    assert call(client, "get", "/warnings").json()["count"] == 0
    case.refresh_from_db()
    assert case.risk_signal == "closure" and not EmployerIndicator.objects.exists()


def test_the_scheduler_knows_the_daily_job():
    from gonghui.core.scheduler import JOBS

    job = next(j for j in JOBS if j.name == "rights.compute_risks")
    assert job.every == datetime.timedelta(hours=24) and job.task == "gonghui.rights.tasks.compute_risks"


def test_the_list_costs_the_same_queries_whatever_it_holds(tree, district_cadre_a, warned_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(district_cadre_a)
    url = reverse("console:risk_list") + "?level=all"
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    risk, _ = warned_a
    for i in range(8):
        EmployerRisk.objects.create(
            employer_uscc=f"org-{1000 + i}",
            employer_name=f"单位{i}",
            org=tree.grassroots_a,
            score=30,
            level="yellow",
            reasons=[{"indicator": "wage_requests", "value": "3", "points": "30"}],
            computed_at=risk.computed_at,
        )
    with CaptureQueriesContext(connection) as nine:
        page = client.get(url)
    assert page.content.decode().count('data-level="yellow"') == 8
    assert len(nine) == len(one)


def test_a_large_import_is_scored_by_the_worker(
    tree, district_cadre_a, frozen, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from gonghui.rights.services import risk_indicators
    from gonghui.rights.tasks import compute_risks

    monkeypatch.setattr(risk_indicators, "INLINE_EMPLOYERS", 1)
    with django_capture_on_commit_callbacks(execute=True):
        result = svc.indicators_import(actor=district_cadre_a, org=tree.district_a, upload=gb18030_csv(CLEAN))
    assert result.ok and result.deferred and result.created == 3
    assert not EmployerRisk.objects.exists()  # not yet: the worker scores them
    task = DBTaskResult.objects.get(task_path="gonghui.rights.tasks.compute_risks")
    kwargs = task.args_kwargs["kwargs"]
    assert sorted(kwargs["only"]) == sorted([USCC_A, USCC_A2]) and kwargs["coordinates"][USCC_A] == [
        "30.274100",
        "120.155100",
    ]
    compute_risks.call(**kwargs)
    risk = EmployerRisk.objects.get(employer_uscc=USCC_A)
    assert risk.score == D(34) and risk.latitude == D("30.274100")


def test_many_warnings_at_once_give_a_union_one_notice(tree, district_cadre_a):
    from gonghui.rights.services import risk as risk_module

    for i, uscc in enumerate([USCC_A, USCC_A2, uscc_with_check("91330106MA2Q1W2E3")]):
        EmployerIndicator.objects.create(
            employer_uscc=uscc, employer_name=f"单位{i}", indicator="si_arrears", value=5, as_of=TODAY
        )
    risk_module.NOTICES_PER_UNION, before = 2, risk_module.NOTICES_PER_UNION
    try:
        assert svc.risks_compute(today=TODAY).warned == 3
    finally:
        risk_module.NOTICES_PER_UNION = before
    notices = Notice.objects.filter(user=district_cadre_a, url__contains="/rights/risk/")
    assert (
        notices.count() == 1
        and notices.get().url == reverse("console:risk_list")
        and "3" in notices.get().text
    )
    assert AuditRecord.objects.filter(action="gonghui.rights.risk.warned").count() == 3


def test_a_read_only_token_reads_warnings_but_changes_nothing(
    client, tree, district_cadre_a, warned_a, frozen
):
    from django.test import Client

    from tests.test_api import bearer, issue

    risk, case = warned_a
    token = bearer(issue(client, district_cadre_a, access="read")["token"])
    reader = Client()
    assert reader.get(f"{API}/warnings", **token).json()["count"] == 1
    assert reader.get(f"{API}/warnings/{risk.pk}", **token).status_code == 200
    for method, path, data in api_calls(tree, risk, case)[2:]:
        if method == "get":
            continue
        response = reader.generic(
            method, API + path, json.dumps(data), content_type="application/json", **token
        )
        assert response.status_code == 403 and response.json()["error"]["code"] == "token_read_only", path
    assert not EmployerIndicator.objects.exists() and not RiskPolicy.objects.exists()
