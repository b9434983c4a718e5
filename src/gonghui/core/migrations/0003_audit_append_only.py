# The audit log is append-only in the database: triggers refuse UPDATE and DELETE on the records and the
# archives (SQLite and PostgreSQL; see gonghui.core.audit and docs/audit.md). A later migration that
# rebuilds core_auditrecord on SQLite (most AlterField operations do) drops its triggers and must call
# install_triggers again; `gonghui audit verify` reports missing triggers.

from django.db import migrations, models


def install(apps, schema_editor):
    from gonghui.core.audit import install_triggers

    install_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    from gonghui.core.audit import drop_triggers

    drop_triggers(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS core_audit_refuse()")
            cursor.execute("DROP FUNCTION IF EXISTS core_auditrecord_guard_delete()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_audit_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditrecord",
            name="seq",
            field=models.BigIntegerField(unique=True, verbose_name="sequence"),
        ),
        migrations.RunPython(install, uninstall),
    ]
