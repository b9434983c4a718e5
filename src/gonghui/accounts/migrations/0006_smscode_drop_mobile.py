# Written by hand: SMS codes keep only the blind index of the number (filled by 0005), not the number.
from django.db import migrations, models


def delete_codes(apps, schema_editor):
    """Going back: the numbers cannot be recovered from their indexes, so the pending codes (which live a few
    minutes) are deleted before the plaintext column returns, NOT NULL and without a default."""
    apps.get_model("accounts", "SmsCode")._base_manager.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_mobile_encrypt_rows"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="smscode",
            name="accounts_sm_mobile_bff5cf_idx",
        ),
        migrations.RemoveField(
            model_name="smscode",
            name="mobile",
        ),
        migrations.AddIndex(
            model_name="smscode",
            index=models.Index(fields=["mobile_index", "created_at"], name="accounts_sm_mobile__3b68e6_idx"),
        ),
        migrations.RunPython(migrations.RunPython.noop, delete_codes, elidable=False),
    ]
