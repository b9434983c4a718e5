# Hash chain for the audit log: sequence numbers, SM3 hashes, the chain head and archives.
# Existing records are chained here in id order; 0003 then makes `seq` required and installs the triggers
# (a separate migration, because PostgreSQL refuses ALTER TABLE after UPDATEs in the same transaction).

import django.utils.timezone
from django.db import migrations, models


def chain_existing_records(apps, schema_editor):
    from gonghui.core.audit import record_hash

    AuditRecord = apps.get_model("core", "AuditRecord")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    db = schema_editor.connection.alias
    seq, prev_hash, batch = 0, "", []
    for record in AuditRecord.objects.using(db).order_by("id").iterator(chunk_size=2000):
        seq += 1
        record.seq = seq
        record.prev_hash = prev_hash
        record.hash = record_hash(record)
        prev_hash = record.hash
        batch.append(record)
        if len(batch) >= 2000:
            AuditRecord.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    if batch:
        AuditRecord.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
    AuditChainHead.objects.using(db).update_or_create(pk=1, defaults={"last_seq": seq, "last_hash": prev_hash})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditArchive",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="archived at")),
                ("cutoff", models.DateTimeField(verbose_name="records before")),
                ("first_seq", models.BigIntegerField(unique=True, verbose_name="first sequence")),
                ("last_seq", models.BigIntegerField(unique=True, verbose_name="last sequence")),
                ("record_count", models.BigIntegerField(verbose_name="records")),
                ("anchor_hash", models.CharField(max_length=64, verbose_name="anchor hash")),
                ("file_name", models.CharField(max_length=255, verbose_name="file")),
                ("file_sm3", models.CharField(max_length=64, verbose_name="file SM3 digest")),
                ("actor_label", models.CharField(blank=True, max_length=150, verbose_name="actor")),
            ],
            options={
                "verbose_name": "audit archive",
                "verbose_name_plural": "audit archives",
                "ordering": ["last_seq"],
            },
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_seq", models.BigIntegerField(default=0)),
                ("last_hash", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="previous hash"),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="seq",
            field=models.BigIntegerField(null=True, verbose_name="sequence"),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time"),
        ),
        migrations.RunPython(chain_existing_records, migrations.RunPython.noop),
    ]
