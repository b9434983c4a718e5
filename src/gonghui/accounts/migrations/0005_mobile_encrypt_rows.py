# Written by hand: encrypt the users' mobile numbers in place and fill the blind indexes (docs/crypto.md).
#
# The purposes are written out here rather than imported, so that this migration keeps doing what it did
# whatever the models say later. Raw values are read through a Cast, which has no decrypting converter; values
# are written through the historical EncryptedTextField, which encrypts them under the current data key.
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Cast

from gonghui.core import crypto

USER_PURPOSE = "accounts.user.mobile"
SMS_PURPOSE = "accounts.smscode.mobile"
BATCH = 1000


def _raw_batches(model, field):
    """(pk, stored text) in primary-key order, BATCH rows at a time."""
    qs = (
        model._base_manager.annotate(_raw=Cast(F(field), output_field=models.TextField()))
        .exclude(_raw__isnull=True)
        .exclude(_raw="")
        .order_by("pk")
    )
    last = None
    while True:
        chunk = qs if last is None else qs.filter(pk__gt=last)
        rows = list(chunk.values_list("pk", "_raw")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def encrypt_mobiles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for rows in _raw_batches(User, "mobile"):
        users = []
        for pk, value in rows:
            if crypto.SEPARATOR in value:
                continue  # already encrypted (a plaintext number never holds the separator)
            users.append(
                User(pk=pk, mobile=value, mobile_index=crypto.blind_index(value, purpose=USER_PURPOSE, kind="mobile"))
            )
        User._base_manager.bulk_update(users, ["mobile", "mobile_index"])

    SmsCode = apps.get_model("accounts", "SmsCode")
    for rows in _raw_batches(SmsCode, "mobile"):
        codes = [
            SmsCode(pk=pk, mobile_index=crypto.blind_index(value, purpose=SMS_PURPOSE, kind="mobile"))
            for pk, value in rows
        ]
        SmsCode._base_manager.bulk_update(codes, ["mobile_index"])


def decrypt_mobiles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for rows in _raw_batches(User, "mobile"):
        users = []
        for pk, value in rows:
            if crypto.SEPARATOR not in value:
                continue  # still plaintext
            plain = crypto.decrypt(value, purpose=USER_PURPOSE)
            # A plain TextField value is written as it is, bypassing the historical field's encryption.
            users.append(User(pk=pk, mobile=models.Value(plain, output_field=models.TextField()), mobile_index=None))
        User._base_manager.bulk_update(users, ["mobile", "mobile_index"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_mobile_encrypted_schema"),
    ]

    operations = [
        migrations.RunPython(encrypt_mobiles, decrypt_mobiles, elidable=False),
    ]
