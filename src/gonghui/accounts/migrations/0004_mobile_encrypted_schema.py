# Written by hand: the mobile number at rest (docs/crypto.md). This migration changes the column types and
# adds the blind-index columns; 0005 encrypts the stored numbers and 0006 drops the SMS codes' plaintext column.
import gonghui.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_security"),
    ]

    operations = [
        # The values stay plaintext in a text column until 0005 encrypts them; uniqueness moves to the index.
        migrations.AlterField(
            model_name="user",
            name="mobile",
            field=gonghui.core.fields.EncryptedTextField(
                kind="mobile", purpose="accounts.user.mobile", verbose_name="mobile number"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="mobile_index",
            field=gonghui.core.fields.BlindIndexField(blank=True, editable=False, source="mobile", unique=True),
        ),
        migrations.AddField(
            model_name="smscode",
            name="mobile_index",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
    ]
