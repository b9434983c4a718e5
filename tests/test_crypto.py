"""Personal data at rest: SM4-GCM values, HMAC-SM3 blind indexes, the encrypted fields, key rotation, reveal."""

from __future__ import annotations

import base64
import json
import stat
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, models, transaction
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core import crypto
from gonghui.core.errors import PermissionDenied, ServiceError
from gonghui.core.fields import BlindIndexField, EncryptedTextField, blind_q, encrypted_fields
from gonghui.core.models import AuditRecord
from gonghui.core.reveal import reveal

K1 = base64.b64encode(bytes(range(16))).decode()
K2 = base64.b64encode(bytes(range(16, 32))).decode()
INDEX = base64.b64encode(bytes(range(100, 132))).decode()
KEYS = {
    "GONGHUI_DATA_KEYS": f"k1:{K1},k2:{K2}",
    "GONGHUI_DATA_KEY_CURRENT": "k1",
    "GONGHUI_INDEX_KEY": INDEX,
    "GONGHUI_DATA_KEY_FILE": "",
}
MOBILE = "13812345678"
ID_NUMBER = "11010519491231002X"
BANK_CARD = "6222021234567890128"


@pytest.fixture
def keys(settings):
    """Two data keys, k1 current, and a fixed index key (pytest-django's settings fixture resets them)."""
    for name, value in KEYS.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def probe(transactional_db, keys):
    """A model with three encrypted columns in a table made for the test and dropped after it.

    It is declared inside the fixture and removed from the app registry afterwards, so makemigrations and
    `gonghui keys` in other tests never see it. The schema editor cannot run inside the test transaction
    on SQLite, hence transactional_db.
    """

    class EncryptedProbe(models.Model):
        mobile = EncryptedTextField(purpose="test.probe.mobile", kind="mobile", null=True, blank=True)
        mobile_index = BlindIndexField(source="mobile", unique=True)
        id_number = EncryptedTextField(
            purpose="test.probe.id_number", kind="id_number", blank=True, default=""
        )
        id_number_index = BlindIndexField(source="id_number")
        bank_card = EncryptedTextField(
            purpose="test.probe.bank_card", kind="bank_card", blank=True, default=""
        )

        class Meta:
            app_label = "core"
            managed = False
            db_table = "test_encrypted_probe"

        def __str__(self) -> str:
            return f"probe {self.pk}"

    with connection.schema_editor() as editor:
        editor.create_model(EncryptedProbe)
    yield EncryptedProbe
    with connection.schema_editor() as editor:
        editor.delete_model(EncryptedProbe)
    del apps.all_models["core"]["encryptedprobe"]
    apps.clear_cache()


def raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")
        return list(cursor.fetchall())


def raw_column(model, column: str) -> list[str | None]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def run(*args: str) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out, stderr=out)
    return out.getvalue()


# --- SM4-GCM values ---------------------------------------------------------------------------------------


@given(value=st.text(), purpose=st.sampled_from(["members.member.id_number", "accounts.user.mobile"]))
def test_any_text_survives_a_round_trip(value, purpose):
    with override_settings(**KEYS):
        token = crypto.encrypt(value, purpose=purpose)
        assert token.isascii()
        assert crypto.decrypt(token, purpose=purpose) == value


def test_the_key_id_is_stored_with_each_value_and_old_keys_still_decrypt(keys):
    old = crypto.encrypt(MOBILE, purpose="p")
    assert old.startswith("k1$")
    assert crypto.key_id(old) == "k1"
    keys.GONGHUI_DATA_KEY_CURRENT = "k2"
    new = crypto.encrypt(MOBILE, purpose="p")
    assert crypto.key_id(new) == "k2"
    assert crypto.decrypt(old, purpose="p") == crypto.decrypt(new, purpose="p") == MOBILE


def test_the_same_value_encrypts_differently_each_time(keys):
    assert crypto.encrypt(MOBILE, purpose="p") != crypto.encrypt(MOBILE, purpose="p")


def test_a_value_moved_to_another_purpose_does_not_decrypt(keys):
    token = crypto.encrypt(MOBILE, purpose="accounts.user.mobile")
    with pytest.raises(crypto.CryptoError, match="failed authentication"):
        crypto.decrypt(token, purpose="members.member.mobile")


def test_a_tampered_value_fails_with_a_clear_error_that_does_not_show_it(keys):
    token = crypto.encrypt(MOBILE, purpose="p")
    kid, encoded = token.split("$")
    blob = bytearray(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    blob[15] ^= 1
    tampered = f"{kid}${base64.urlsafe_b64encode(bytes(blob)).rstrip(b'=').decode()}"
    with pytest.raises(crypto.CryptoError, match="was changed") as exc:
        crypto.decrypt(tampered, purpose="p")
    assert MOBILE not in str(exc.value)
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(f"{kid}$AAAA", purpose="p")
    with pytest.raises(crypto.CryptoError, match="not an encrypted value"):
        crypto.decrypt(MOBILE, purpose="p")


def test_a_value_under_a_key_that_is_no_longer_configured_names_the_key(keys):
    token = crypto.encrypt(MOBILE, purpose="p", kid="k2")
    keys.GONGHUI_DATA_KEYS = f"k1:{K1}"
    with pytest.raises(crypto.CryptoError, match="'k2'"):
        crypto.decrypt(token, purpose="p")


def test_the_algorithm_is_sm4_gcm(keys):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    token = crypto.encrypt(MOBILE, purpose="p")
    blob = base64.urlsafe_b64decode(token[3:] + "=" * (-len(token[3:]) % 4))
    nonce, body, tag = blob[:12], blob[12:-16], blob[-16:]
    decryptor = Cipher(algorithms.SM4(base64.b64decode(K1)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(b"p")
    assert decryptor.update(body) + decryptor.finalize() == MOBILE.encode()


# --- blind index ------------------------------------------------------------------------------------------


def test_the_blind_index_is_stable_and_ignores_how_the_value_was_typed(keys):
    index = crypto.blind_index(MOBILE, purpose="accounts.user.mobile", kind="mobile")
    assert len(index) == 64
    assert int(index, 16) >= 0
    for typed in ("138 1234 5678", "+86 138-1234-5678", "８６１３８１２３４５６７８"):
        assert crypto.blind_index(typed, purpose="accounts.user.mobile", kind="mobile") == index
    assert crypto.blind_index(ID_NUMBER.lower(), purpose="i", kind="id_number") == crypto.blind_index(
        "110105491231002", purpose="i", kind="id_number"
    )
    assert crypto.blind_index("6222 0212 3456 7890 128", purpose="b", kind="bank_card") == crypto.blind_index(
        BANK_CARD, purpose="b", kind="bank_card"
    )


def test_the_blind_index_is_separated_by_purpose_and_key(keys):
    user = crypto.blind_index(MOBILE, purpose="accounts.user.mobile", kind="mobile")
    case = crypto.blind_index(MOBILE, purpose="rights.case.mobile", kind="mobile")
    assert user != case
    assert crypto.blind_index(MOBILE, purpose="rights.case.mobile", kind="mobile") == case
    keys.GONGHUI_INDEX_KEY = base64.b64encode(b"another index key 32 bytes long!").decode()
    assert crypto.blind_index(MOBILE, purpose="accounts.user.mobile", kind="mobile") != user


def test_the_blind_index_does_not_change_when_data_keys_rotate(keys):
    before = crypto.blind_index(MOBILE, purpose="p", kind="mobile")
    keys.GONGHUI_DATA_KEY_CURRENT = "k2"
    assert crypto.blind_index(MOBILE, purpose="p", kind="mobile") == before


# --- key configuration ------------------------------------------------------------------------------------


def test_without_keys_production_refuses_to_start(settings, monkeypatch):
    monkeypatch.delenv("GONGHUI_TESTING", raising=False)
    monkeypatch.delenv("GONGHUI_DEMO", raising=False)
    settings.GONGHUI_DATA_KEYS = ""
    settings.GONGHUI_DATA_KEY_FILE = ""
    settings.GONGHUI_INDEX_KEY = ""
    settings.DEBUG = False
    settings.TESTING = False
    settings.GONGHUI_DEMO = False
    with pytest.raises(ImproperlyConfigured, match="GONGHUI_DATA_KEYS"):
        crypto.keyring()


def test_the_demo_generates_a_private_key_file_once(settings, tmp_path):
    settings.GONGHUI_DATA_KEYS = ""
    settings.GONGHUI_DATA_KEY_FILE = ""
    settings.GONGHUI_DATA_KEY_CURRENT = ""
    settings.GONGHUI_INDEX_KEY = ""
    settings.VAR_DIR = tmp_path
    settings.GONGHUI_DEMO = True
    token = crypto.encrypt(MOBILE, purpose="p")
    key_file = tmp_path / "data-keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    crypto.keyring.cache_clear()
    assert crypto.decrypt(token, purpose="p") == MOBILE  # the same file, not a new key
    assert [p.name for p in tmp_path.iterdir()] == ["data-keys.json"]


def test_a_key_file_gives_the_keys_and_the_environment_may_choose_the_current_one(settings, tmp_path):
    key_file = tmp_path / "keys.json"
    key_file.write_text(json.dumps({"current": "a", "keys": {"a": K1, "b": K2}, "index_key": INDEX}))
    settings.GONGHUI_DATA_KEYS = ""
    settings.GONGHUI_INDEX_KEY = ""
    settings.GONGHUI_DATA_KEY_CURRENT = ""
    settings.GONGHUI_DATA_KEY_FILE = str(key_file)
    assert crypto.encrypt(MOBILE, purpose="p").startswith("a$")
    settings.GONGHUI_DATA_KEY_CURRENT = "b"
    assert crypto.encrypt(MOBILE, purpose="p").startswith("b$")
    assert crypto.keyring().source == str(key_file)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"GONGHUI_DATA_KEYS": "k1"}, "kid:base64key"),
        ({"GONGHUI_DATA_KEYS": "k1:!!!"}, "not valid base64"),
        ({"GONGHUI_DATA_KEYS": f"k1:{INDEX}"}, "SM4 needs 16"),
        ({"GONGHUI_DATA_KEYS": f"k$1:{K1}", "GONGHUI_DATA_KEY_CURRENT": "k$1"}, "must be 1-32"),
        ({"GONGHUI_DATA_KEY_CURRENT": "k9"}, "not among the keys"),
        ({"GONGHUI_INDEX_KEY": K1[:8]}, "at least 16 bytes"),
        ({"GONGHUI_DATA_KEYS": "", "GONGHUI_DATA_KEY_FILE": "/nonexistent/keys.json"}, "does not exist"),
    ],
)
def test_bad_key_settings_are_refused_clearly(keys, overrides, message):
    for name, value in overrides.items():
        setattr(keys, name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.keyring()


def test_without_a_current_id_the_last_listed_key_is_current(keys):
    keys.GONGHUI_DATA_KEY_CURRENT = ""
    assert crypto.keyring().current == "k2"


def test_generate_prints_keys_that_the_key_ring_accepts(keys):
    line = run("generate", "--kid", "k3").strip()
    kid, key = line.split(":")
    assert kid == "k3"
    assert len(base64.b64decode(key)) == 16
    keys.GONGHUI_DATA_KEYS = f"k1:{K1},{line}"
    keys.GONGHUI_DATA_KEY_CURRENT = "k3"
    assert crypto.encrypt(MOBILE, purpose="p").startswith("k3$")
    index_line = run("generate", "--index").strip()
    assert index_line.startswith("GONGHUI_INDEX_KEY=")
    keys.GONGHUI_INDEX_KEY = index_line.split("=", 1)[1]
    assert crypto.keyring().index_key != base64.b64decode(INDEX)
    assert set(json.loads(run("generate", "--file"))) == {"current", "keys", "index_key"}


# --- the model fields -------------------------------------------------------------------------------------


def test_encrypted_columns_hold_no_plaintext(probe):
    probe.objects.create(mobile=MOBILE, id_number=ID_NUMBER, bank_card=BANK_CARD)
    rows = raw_rows(probe._meta.db_table)
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    for secret in (MOBILE, ID_NUMBER, BANK_CARD, "12345678", "19491231", "7890128"):
        assert secret not in stored
    for column in ("mobile", "id_number", "bank_card"):
        assert raw_column(probe, column)[0].startswith("k1$")


def test_the_python_value_is_the_plaintext_everywhere(probe):
    obj = probe.objects.create(mobile=MOBILE, id_number=ID_NUMBER, bank_card=BANK_CARD)
    obj = probe.objects.get(pk=obj.pk)
    assert (obj.mobile, obj.id_number, obj.bank_card) == (MOBILE, ID_NUMBER, BANK_CARD)
    assert list(probe.objects.values_list("mobile", flat=True)) == [MOBILE]
    assert list(probe.objects.values("id_number")) == [{"id_number": ID_NUMBER}]


def test_missing_values_stay_null_or_empty_and_have_no_index(probe):
    probe.objects.create(mobile=None)
    probe.objects.create(mobile=None)  # NULL indexes do not collide under unique=True
    assert raw_column(probe, "mobile") == [None, None]
    assert raw_column(probe, "id_number") == ["", ""]
    assert raw_column(probe, "mobile_index") == [None, None]
    assert probe.objects.filter(mobile__isnull=True).count() == 2


def test_values_are_found_through_the_blind_index(probe):
    obj = probe.objects.create(mobile=MOBILE, id_number=ID_NUMBER)
    probe.objects.create(mobile="13900000001")
    assert probe.objects.get(blind_q(probe, "mobile", "+86 138 1234 5678")) == obj
    assert probe.objects.get(blind_q(probe, "id_number", "110105491231002")) == obj  # the old 15-digit form
    assert not probe.objects.filter(blind_q(probe, "mobile", "13700000000")).exists()
    assert raw_column(probe, "mobile_index")[0] == crypto.blind_index(
        MOBILE, purpose="test.probe.mobile", kind="mobile"
    )


def test_the_blind_index_enforces_uniqueness(probe):
    probe.objects.create(mobile=MOBILE)
    with pytest.raises(IntegrityError), transaction.atomic():
        probe.objects.create(mobile="138 1234 5678")


def test_the_index_follows_a_changed_value_and_bulk_create(probe):
    obj = probe.objects.create(mobile=MOBILE)
    obj.mobile = "13900000001"
    obj.save()
    assert probe.objects.filter(blind_q(probe, "mobile", "13900000001")).get() == obj
    probe.objects.bulk_create([probe(mobile="13700000000"), probe(mobile="13700000001")])
    assert probe.objects.filter(blind_q(probe, "mobile", "13700000001")).exists()


def test_searching_an_encrypted_column_directly_is_refused(probe):
    with pytest.raises(FieldError, match="blind_q"):
        probe.objects.filter(mobile=MOBILE)
    with pytest.raises(FieldError, match="cannot be searched"):
        probe.objects.filter(id_number__startswith="110105")


def test_an_encrypted_field_cannot_be_unique_or_indexed_itself():
    with pytest.raises(ImproperlyConfigured, match="BlindIndexField"):
        EncryptedTextField(purpose="p", unique=True)
    with pytest.raises(ImproperlyConfigured, match="purpose"):
        EncryptedTextField(purpose="")


def test_the_fields_survive_a_migration_round_trip():
    field = EncryptedTextField(purpose="members.member.id_number", kind="id_number", blank=True)
    _name, path, args, kwargs = field.deconstruct()
    assert path == "gonghui.core.fields.EncryptedTextField"
    assert kwargs == {"purpose": "members.member.id_number", "kind": "id_number", "blank": True}
    index = BlindIndexField(source="id_number", unique=True)
    _name, path, args, kwargs = index.deconstruct()
    assert kwargs["source"] == "id_number"
    assert BlindIndexField(*args, **kwargs).max_length == 64


# --- keys status and rotate -------------------------------------------------------------------------------


def test_rotation_re_encrypts_in_batches_and_is_idempotent(probe, keys):
    mobiles = [f"138000000{i:02d}" for i in range(1, 6)]
    for mobile in mobiles:
        probe.objects.create(mobile=mobile, id_number=ID_NUMBER)
    probe.objects.create(mobile=None)
    indexes = raw_column(probe, "mobile_index")
    keys.GONGHUI_DATA_KEY_CURRENT = "k2"

    out = run("rotate", "--batch", "2", "--model", "core.EncryptedProbe")
    assert "test_encrypted_probe" not in out
    assert "core.EncryptedProbe.mobile: 5 value(s) to re-encrypt under k2" in out
    assert [line for line in out.splitlines() if line.startswith("core.EncryptedProbe.mobile: ")][1:] == [
        "core.EncryptedProbe.mobile: 2/5 re-encrypted",
        "core.EncryptedProbe.mobile: 4/5 re-encrypted",
        "core.EncryptedProbe.mobile: 5/5 re-encrypted",
    ]
    assert all(value.startswith("k2$") for value in raw_column(probe, "mobile") if value)
    assert all(value.startswith("k2$") for value in raw_column(probe, "id_number") if value)
    assert raw_column(probe, "mobile")[-1] is None
    assert list(probe.objects.order_by("pk").values_list("mobile", flat=True)) == [*mobiles, None]
    assert raw_column(probe, "mobile_index") == indexes  # the blind index does not depend on the data key

    before = raw_column(probe, "mobile")
    again = run("rotate", "--model", "core.EncryptedProbe")
    assert "0 value(s) to re-encrypt" in again
    assert raw_column(probe, "mobile") == before


def test_rotation_resumes_with_the_rows_that_are_left(probe, keys):
    for i in range(1, 5):
        probe.objects.create(mobile=f"138000000{i:02d}")
    keys.GONGHUI_DATA_KEY_CURRENT = "k2"
    first = probe.objects.order_by("pk").first()
    first.save()  # as if an earlier run had done this row before it stopped
    assert raw_column(probe, "mobile")[0].startswith("k2$")
    out = run("rotate", "--model", "core.EncryptedProbe")
    assert "core.EncryptedProbe.mobile: 3 value(s) to re-encrypt" in out


def test_rotation_reports_a_value_it_cannot_decrypt_and_does_the_rest(probe, keys):
    for i in range(1, 4):
        probe.objects.create(mobile=f"138000000{i:02d}")
    bad = probe.objects.order_by("pk")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE test_encrypted_probe SET mobile = %s WHERE id = %s",
            [crypto.encrypt("13800000002", purpose="another.purpose"), bad.pk],
        )
    keys.GONGHUI_DATA_KEY_CURRENT = "k2"
    err = StringIO()
    with pytest.raises(CommandError, match="1 value"):
        call_command("keys", "rotate", "--model", "core.EncryptedProbe", stdout=StringIO(), stderr=err)
    assert f"pk={bad.pk}" in err.getvalue()
    assert "13800000002" not in err.getvalue()
    stored = raw_column(probe, "mobile")
    assert stored[0].startswith("k2$") and stored[2].startswith("k2$")
    assert stored[1].startswith("k1$")


def test_status_counts_values_per_key_id_for_every_encrypted_column(probe, keys):
    probe.objects.create(mobile=MOBILE, id_number=ID_NUMBER)
    keys.GONGHUI_DATA_KEY_CURRENT = "k2"
    probe.objects.create(mobile="13900000001")
    out = run("status")  # without --model: discovered among all installed models
    assert "current key id: k2" in out
    assert "core.EncryptedProbe.mobile: k1=1 (old), k2=1; empty=0" in out
    assert "core.EncryptedProbe.id_number: k1=1 (old); empty=1" in out
    assert "core.EncryptedProbe.bank_card: no values; empty=2" in out
    assert K1 not in out and K2 not in out


def test_the_commands_refuse_unknown_models_and_models_without_encrypted_fields(probe):
    with pytest.raises(CommandError, match="Unknown model"):
        run("rotate", "--model", "core.Nothing")
    with pytest.raises(CommandError, match="no encrypted fields"):
        run("status", "--model", "core.AuditRecord")
    assert [f.name for f in encrypted_fields(probe)] == ["mobile", "id_number", "bank_card"]


# --- reveal -----------------------------------------------------------------------------------------------


def test_revealing_needs_a_reason(probe):
    obj = probe.objects.create(id_number=ID_NUMBER)
    with pytest.raises(ServiceError) as exc:
        reveal(actor="cadre", obj=obj, field="id_number", reason="  ", permission_check=lambda a, o: True)
    assert exc.value.code == "reason_required"
    assert not AuditRecord.objects.filter(action="gonghui.pii.revealed").exists()


def test_revealing_is_audited_without_the_value(probe):
    obj = probe.objects.create(id_number=ID_NUMBER)
    seen = []

    def may_reveal(actor, target):
        seen.append((actor, target.pk))
        return True

    value = reveal(
        actor="cadre",
        obj=obj,
        field="id_number",
        reason="Checking the aid application",
        permission_check=may_reveal,
    )
    assert value == ID_NUMBER
    assert seen == [("cadre", obj.pk)]
    record = AuditRecord.objects.get(action="gonghui.pii.revealed")
    assert record.result == "ok"
    assert record.data == {"field": "id_number", "reason": "Checking the aid application"}
    assert record.object_id == str(obj.pk)
    assert ID_NUMBER not in json.dumps(record.data) + record.object_repr + record.actor_label


def test_a_refused_reveal_is_audited_and_shows_nothing(probe):
    obj = probe.objects.create(id_number=ID_NUMBER)
    with pytest.raises(PermissionDenied):
        reveal(
            actor="viewer", obj=obj, field="id_number", reason="curious", permission_check=lambda a, o: False
        )
    record = AuditRecord.objects.get(action="gonghui.pii.revealed")
    assert record.result == "denied"
