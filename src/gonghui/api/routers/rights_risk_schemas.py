"""Schemas of the risk-warning API (api/routers/rights_risk.py): warnings with their reasons, one employer's
requests and indicators, indicator rows sent by a partner system, weights and thresholds."""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from .member_schemas import OrgRef


class ReasonOut(Schema):
    indicator: str
    label: str
    value: str
    points: str


class RiskOut(Schema):
    id: int
    employer_name: str
    employer_uscc: str = Field(
        description='The credit code, or "org-<id>" for requests that named only the union'
    )
    level: str = Field(description="none, yellow, orange or red")
    score: Decimal
    org: OrgRef = Field(description="The responsible union")
    division_code: str
    latitude: Decimal | None
    longitude: Decimal | None
    computed_at: datetime.datetime
    reasons: list[ReasonOut]

    @staticmethod
    def resolve_reasons(obj: Any) -> list[dict[str, Any]]:
        from gonghui.rights.selectors import risk_reasons

        return risk_reasons(obj)


class RiskCaseOut(Schema):
    id: int
    number: str
    category: str
    status: str
    collective: bool
    risk_signal: str
    received_on: datetime.date


class IndicatorOut(Schema):
    indicator: str
    value: Decimal
    as_of: datetime.date
    source: str


class RiskDetailOut(RiskOut):
    cases: list[RiskCaseOut] = []
    indicators: list[IndicatorOut] = []


class IndicatorRowIn(Schema):
    # Loose types on purpose: the service checks every value and reports each bad one with its row.
    uscc: str = Field(max_length=60, description="统一社会信用代码")
    name: str = Field(max_length=200, description="单位名称")
    indicator: str = Field(
        max_length=60, description="si_arrears, utility_arrears, arbitration_cases or a label"
    )
    value: str | float | int = Field(description="Not below 0")
    as_of: str = Field(max_length=30, description="The date of the value, 2026-11-01")
    latitude: str | float | None = None
    longitude: str | float | None = None


class IndicatorsIn(Schema):
    rows: list[IndicatorRowIn] = Field(max_length=20000)


class ImportedOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    deferred: bool = Field(description="True when the scores are computed in the background (a large import)")


class WeightOut(Schema):
    indicator: str
    label: str
    points: Decimal
    cap: Decimal
    source_org: OrgRef | None = Field(
        description="The union whose setting applies; null for the platform default"
    )


class PolicyOut(Schema):
    window_days: int
    yellow: int
    orange: int
    red: int
    source_org: OrgRef | None


class RulesOut(Schema):
    org_id: int
    weights: list[WeightOut]
    policy: PolicyOut


class WeightIn(Schema):
    indicator: str
    points: Decimal = Field(ge=0, le=1000)
    cap: Decimal = Field(ge=0, le=1000)


class PolicyIn(Schema):
    window_days: int
    yellow: int
    orange: int
    red: int


class SignalIn(Schema):
    signal: str = Field(description='layoff, closure, relocation, or "" to clear the mark')


class SignalOut(Schema):
    case_id: int
    risk_signal: str
