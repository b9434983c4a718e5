"""The mobile number at rest: encrypted in the users table, found through its blind index, never in the SMS
code table or the audit log (docs/crypto.md)."""

from __future__ import annotations

import base64
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.admin import UserAdmin
from gonghui.accounts.models import SmsCode, User, sms_mobile_index
from gonghui.accounts.sms import LoggingSender
from gonghui.core import crypto
from gonghui.core.errors import ServiceError
from gonghui.core.fields import blind_q
from gonghui.core.models import AuditRecord
from tests.conftest import PASSWORD

CAST = ("national_admin", "district_cadre_a", "district_cadre_b", "chair_a", "member_a", "member_b")
MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")
# Blind indexes and hashes are 64 hex digits; they can hold a run of digits by chance, so they are
# removed before a text is scanned for mobile numbers.
HEX_64 = re.compile(r"\b[0-9a-f]{64}\b")


@pytest.fixture
def cast(request) -> list[User]:
    return [request.getfixturevalue(name) for name in CAST]


@pytest.fixture
def sms(settings):
    settings.GONGHUI_SMS_SENDER = "gonghui.accounts.sms.LoggingSender"
    LoggingSender.outbox.clear()
    return LoggingSender.outbox


def raw_users() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile, mobile_index FROM accounts_user ORDER BY id")
        return list(cursor.fetchall())


def last_code(outbox) -> str:
    return re.search(r"\d{6}", outbox[-1][1]).group(0)


def text_of(record: AuditRecord) -> str:
    """Every text field of an audit record, and its data as JSON, as one string."""
    parts = []
    for field in AuditRecord._meta.concrete_fields:
        value = getattr(record, field.attname)
        parts.append(json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value))
    return "\n".join(parts)


# --- the users table --------------------------------------------------------------------------------------


def test_the_users_table_holds_no_plaintext_mobile_number(cast):
    rows = raw_users()
    assert len(rows) == len(cast)
    for (stored, index), user in zip(rows, cast, strict=True):
        assert re.fullmatch(r"[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+", stored)
        assert not re.search(r"\d{11}", stored)
        assert re.fullmatch(r"[0-9a-f]{64}", index)
        for person in cast:
            assert person.mobile not in stored and person.mobile not in index
        assert crypto.decrypt(stored, purpose="accounts.user.mobile") == user.mobile


def test_an_account_is_found_by_any_spelling_of_its_number_through_the_index(member_a):
    assert User.objects.get(blind_q(User, "mobile", "+86 139-0000-0001")) == member_a
    assert User.objects.get_by_natural_key("13900000001") == member_a
    assert User.objects.get(pk=member_a.pk).mobile == "13900000001"


def test_create_user_stores_the_canonical_number(db):
    user = User.objects.create_user("+86 137 1111 2222", PASSWORD, real_name="某人")
    user.refresh_from_db()
    assert user.mobile == "13711112222" and user.masked_mobile == "137****2222"


def test_password_login_works_through_the_index(client, member_a, district_cadre_a):
    assert services.password_login(mobile=member_a.mobile, password=PASSWORD) == member_a
    response = client.post(
        reverse("portal:login"), {"mode": "password", "mobile": "139 0000 0001", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member_a.pk)


@pytest.mark.django_db(transaction=True)
def test_sms_login_works_through_the_index(client, member_a, sms):
    assert client.post(reverse("portal:sms_code"), {"mobile": member_a.mobile}).status_code == 200
    assert sms[-1][0] == member_a.mobile  # the sender got the number from the request
    response = client.post(
        reverse("portal:login"), {"mode": "sms", "mobile": member_a.mobile, "code": last_code(sms)}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member_a.pk)


def test_the_database_refuses_a_second_account_for_a_number(member_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(mobile="+86 139 0000 0001", real_name="冒名")


def test_the_services_refuse_a_second_account_for_a_number_with_a_clear_error(
    national_admin, member_a, monkeypatch
):
    # Another request opened the account between the lookup and the insert.
    monkeypatch.setattr(services, "account_by_mobile", lambda mobile: None)
    with pytest.raises(ServiceError) as error:
        services.account_find_or_create(actor=national_admin, mobile=member_a.mobile, real_name="冒名")
    assert error.value.code == "mobile_in_use" and error.value.field == "mobile"
    assert User.objects.filter(blind_q(User, "mobile", member_a.mobile)).count() == 1


def test_find_or_create_finds_the_existing_account(national_admin, member_a):
    user = services.account_find_or_create(actor=national_admin, mobile="139 0000 0001", real_name="")
    assert user == member_a


def test_the_admin_searches_a_whole_number_through_the_index(member_a, member_b):
    admin = UserAdmin(User, None)  # type: ignore[arg-type]
    request = RequestFactory().get("/")
    found, _ = admin.get_search_results(request, User.objects.all(), "139 0000 0002")
    assert list(found) == [member_b]
    found, _ = admin.get_search_results(request, User.objects.all(), "1390000")
    assert list(found) == []  # no substring search on the encrypted number


# --- the SMS code table -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_sms_code_table_holds_no_plaintext_number(member_a, sms):
    services.sms_code_request(mobile=member_a.mobile)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_smscode")
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert "mobile" not in columns and len(rows) == 1
    text = HEX_64.sub("", " ".join(str(value) for value in rows[0]))
    assert member_a.mobile not in text and not MOBILE_PATTERN.search(text)
    code = SmsCode.objects.get()
    assert code.mobile_index == sms_mobile_index(member_a.mobile)
    # The codes table indexes under its own purpose: its column cannot be joined with the users' one.
    assert code.mobile_index != User.objects.get(pk=member_a.pk).mobile_index


# --- the audit log ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_audit_records_of_failed_logins_hold_no_full_mobile_number(member_a, member_b, sms):
    with pytest.raises(ServiceError):
        services.password_login(mobile=member_a.mobile, password="wrong")
    with pytest.raises(ServiceError):
        services.password_login(mobile="13712345678", password="wrong")  # no such account
    with pytest.raises(ServiceError):
        services.password_login(mobile="1381234567890", password="wrong")  # not a number
    services.sms_code_request(mobile=member_b.mobile)
    with pytest.raises(ServiceError):
        services.sms_login(mobile=member_b.mobile, code="000000")
    records = list(AuditRecord.objects.all())
    assert {"gonghui.auth.login_failed", "gonghui.auth.sms_code_sent"} <= {r.action for r in records}
    for record in records:
        text = HEX_64.sub("", text_of(record))
        assert not MOBILE_PATTERN.search(text), record.action
        for number in (member_a.mobile, member_b.mobile, "13712345678"):
            assert number not in text_of(record)

    failed = AuditRecord.objects.filter(action="gonghui.auth.login_failed").order_by("pk")
    first = failed[0]
    assert first.actor_label == "139****0001"
    # The blind index links the attempts on one account without naming the number.
    assert first.data["mobile_index"] == User.objects.get(pk=member_a.pk).mobile_index


# --- key rotation and the migration -----------------------------------------------------------------------


@pytest.fixture
def keys(settings):
    """Two data keys with k1 current, and a fixed index key, set before any account is created."""
    k1, k2 = (base64.b64encode(bytes(range(start, start + 16))).decode() for start in (0, 16))
    settings.GONGHUI_DATA_KEYS = f"k1:{k1},k2:{k2}"
    settings.GONGHUI_DATA_KEY_CURRENT = "k1"
    settings.GONGHUI_INDEX_KEY = base64.b64encode(bytes(range(100, 132))).decode()
    settings.GONGHUI_DATA_KEY_FILE = ""
    return settings


def test_key_rotation_re_encrypts_the_mobile_numbers_and_login_still_works(keys, request):
    people = [request.getfixturevalue(name) for name in CAST]  # created under k1
    before = raw_users()
    assert all(stored.startswith("k1$") for stored, _ in before)
    keys.GONGHUI_DATA_KEY_CURRENT = "k2"

    out = StringIO()
    call_command("keys", "rotate", stdout=out, stderr=out)
    assert f"accounts.User.mobile: {len(people)} value(s) to re-encrypt under k2" in out.getvalue()

    after = raw_users()
    assert all(stored.startswith("k2$") for stored, _ in after)
    assert [index for _, index in after] == [index for _, index in before]
    member_a = people[CAST.index("member_a")]
    assert services.password_login(mobile=member_a.mobile, password=PASSWORD) == member_a
    assert User.objects.get(pk=member_a.pk).mobile == member_a.mobile


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_stored_numbers_and_back(member_a):
    """From plaintext (0003) forward to encrypted rows, and back to plaintext."""
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0003_security")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM accounts_user WHERE id = %s", [member_a.pk])
        assert cursor.fetchone()[0] == "13900000001"
        cursor.execute(
            "INSERT INTO accounts_smscode (mobile, code_hash, created_at, expires_at, attempts) "
            "VALUES ('13900000001', 'x', %s, %s, 0)",
            ["2026-01-01 00:00:00", "2026-01-01 00:05:00"],
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("accounts"))
    (stored, _index), *_ = raw_users()
    assert stored.startswith(crypto.keyring().current + "$") and "13900000001" not in stored
    assert User.objects.get(blind_q(User, "mobile", "13900000001")) == member_a
    assert SmsCode.objects.get().mobile_index == sms_mobile_index("13900000001")
    assert services.password_login(mobile="13900000001", password=PASSWORD) == member_a

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0003_security")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM accounts_user WHERE id = %s", [member_a.pk])
        assert cursor.fetchone()[0] == "13900000001"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("accounts"))
