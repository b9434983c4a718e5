"""The named test cast (DESIGN.md): a small union tree and one person per place in it.

Each fixture says in one line what the person may see. Tests use these names so that a reader knows at a
glance whether an assertion is about scope ("Li in district A must not see district B").
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import User
from gonghui.core.identifiers import uscc_with_check
from gonghui.core.logsafety import find_personal_data, redact
from gonghui.orgs.models import Org, OrgKind, Role, RoleAssignment
from gonghui.orgs.services import _insert_org

PASSWORD = "Test-pass-2026"


@dataclass
class Tree:
    national: Org
    province: Org
    city: Org
    district_a: Org
    district_b: Org
    street_a: Org
    grassroots_a: Org
    grassroots_b: Org
    industry: Org


def make_user(mobile: str, name: str, role: str | None = None, org: Org | None = None) -> User:
    """A person of the cast. Administrators and reviewers have enrolled TOTP, as the platform requires."""
    user = User.objects.create_user(mobile, PASSWORD, real_name=name)
    if role and org:
        RoleAssignment.objects.create(user=user, org=org, role=role)
    if role in ("org_admin", "reviewer"):
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def totp_now(user: User) -> str:
    """The code the person's authenticator app shows right now."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()).zfill(
        device.digits
    )


@pytest.fixture
def tree(db) -> Tree:
    national = _insert_org(parent=None, name="中华全国总工会", kind=OrgKind.NATIONAL, code="100000")
    province = _insert_org(
        parent=national, name="浙江省总工会", kind=OrgKind.PROVINCE, code="330000", division_code="330000"
    )
    industry = _insert_org(parent=province, name="浙江省教育工会", kind=OrgKind.INDUSTRY, code="330000-EDU")
    city = _insert_org(
        parent=province, name="杭州市总工会", kind=OrgKind.CITY, code="330100", division_code="330100"
    )
    district_a = _insert_org(
        parent=city, name="西湖区总工会", kind=OrgKind.DISTRICT, code="330106", division_code="330106"
    )
    district_b = _insert_org(
        parent=city, name="滨江区总工会", kind=OrgKind.DISTRICT, code="330108", division_code="330108"
    )
    street_a = _insert_org(parent=district_a, name="文新街道总工会", kind=OrgKind.STREET, code="330106-WX")
    grassroots_a = _insert_org(
        parent=street_a,
        name="西溪科技有限公司工会",
        kind=OrgKind.GRASSROOTS,
        code="330106-G1",
        staff_count=120,
        industry_union=industry,
    )
    grassroots_b = _insert_org(
        parent=district_b,
        name="长河半导体有限公司工会",
        kind=OrgKind.GRASSROOTS,
        code="330108-G1",
        staff_count=300,
    )
    return Tree(
        national, province, city, district_a, district_b, street_a, grassroots_a, grassroots_b, industry
    )


@pytest.fixture
def national_admin(tree: Tree) -> User:
    """Sees and administers the whole tree."""
    return make_user("13800000001", "全总管理员", Role.ORG_ADMIN, tree.national)


@pytest.fixture
def province_cadre(tree: Tree) -> User:
    """Administers the province and everything below it; nothing above."""
    return make_user("13800000002", "钱省干", Role.ORG_ADMIN, tree.province)


@pytest.fixture
def district_cadre_a(tree: Tree) -> User:
    """Li administers district A (西湖区) and its subtree; district B is invisible to him."""
    return make_user("13800000004", "李区干", Role.ORG_ADMIN, tree.district_a)


@pytest.fixture
def district_cadre_b(tree: Tree) -> User:
    """Zhou administers district B (滨江区) only."""
    return make_user("13800000005", "周区干", Role.ORG_ADMIN, tree.district_b)


@pytest.fixture
def chair_a(tree: Tree) -> User:
    """Chair of a grassroots union in district A: sees only that union."""
    return make_user("13800000006", "吴主席", Role.ORG_ADMIN, tree.grassroots_a)


@pytest.fixture
def chair_b(tree: Tree) -> User:
    """Chair of a grassroots union in district B: sees only that union."""
    return make_user("13800000007", "郑主席", Role.ORG_ADMIN, tree.grassroots_b)


@pytest.fixture
def viewer_a(tree: Tree) -> User:
    """Read-only viewer in district A: may look but not change anything."""
    return make_user("13800000010", "陈观察", Role.VIEWER, tree.district_a)


@pytest.fixture
def member_a(tree: Tree) -> User:
    """A worker in district A with a portal account and no role: no console at all."""
    return make_user("13900000001", "张伟")


@pytest.fixture
def member_b(tree: Tree) -> User:
    """A worker in district B with a portal account and no role."""
    return make_user("13900000002", "刘芳")


# --- membership --------------------------------------------------------------------------------------------


def fake_id(n: int, *, region: str = "330106", birth: str = "19900101", male: bool = True) -> str:
    """A fictional, checksum-valid resident ID number; `n` makes it unique (0-499)."""
    from stdnum.cn import ric

    seq = (n % 500) * 2 + (1 if male else 0)
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def joint_a(tree: Tree) -> Org:
    """A joint union for new-employment workers under district A's street (riders join here)."""
    return _insert_org(
        parent=tree.street_a, name="文新街道新就业形态联合工会", kind=OrgKind.JOINT, code="330106-J1"
    )


@pytest.fixture
def platform_b(tree: Tree) -> Org:
    """The union of a delivery platform company in district B."""
    return _insert_org(
        parent=tree.district_b,
        name="蜂鸟配送科技有限公司工会",
        kind=OrgKind.GRASSROOTS,
        code="330108-P1",
        is_platform=True,
        uscc=uscc_with_check("91330108MA2H3T4X5"),
    )


@pytest.fixture
def notice(db):
    """The privacy notice in force, which a joining worker agrees to."""
    from gonghui.accounts.models import PrivacyNotice

    return PrivacyNotice.objects.create(
        version="2026.1",
        title="隐私政策",
        body="……",
        published_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    )


class CastClient(Client):
    """The test client, whose force_login stands for a person who has just logged in properly: the
    password was confirmed a moment ago and, for those who have one, the second factor verified, so
    sensitive actions go through. Tests of re-authentication and of the second factor use a plain
    django.test.Client instead."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        session = self.session
        session["gonghui_reauth_at"] = int(time.time())
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


@pytest.fixture
def client() -> CastClient:
    return CastClient()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_off(settings) -> None:
    settings.LANGUAGE_CODE = "zh-hans"


def pytest_configure(config) -> None:
    os.environ.setdefault("GONGHUI_TESTING", "1")


# --- personal data must never reach the logs ---------------------------------------------------------------
class _PersonalDataSpy(logging.Handler):
    """Sees every record logged during the run, before any redaction, and keeps those with personal data."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            return
        if find_personal_data(message):
            self.leaks.append(f"{record.name}: {redact(message)}")


_SPY = _PersonalDataSpy()


@pytest.fixture(autouse=True, scope="session")
def _watch_logs_for_personal_data():
    root = logging.getLogger()
    # First in line: the console handler's RedactingFilter masks records in place, and the spy must see
    # what the code logged, not what the safety net made of it.
    root.handlers.insert(0, _SPY)
    yield _SPY
    root.removeHandler(_SPY)


def pytest_sessionfinish(session, exitstatus) -> None:
    if _SPY.leaks:
        print("\nPersonal data (ID or mobile numbers) appeared in the logs of this run:")
        for leak in _SPY.leaks[:20]:
            print("  ", leak)
        session.exitstatus = 1
