"""The TTHC becomes a cluster: its time limits and its handling agencies are inline rows of its
edit form (the handling agencies chosen with the agency chooser).

The handling agencies keep the table of the former implicit many-to-many relation (same table and
columns, so no data moves); the relation's rows get a model of their own with their own history.
The procedure's history used to snapshot the handling agencies; those snapshots become additions
and removals in the new history, with the date and the person of each snapshot, before they go.
"""

from collections import defaultdict

import django.db.models.deletion
import modelcluster.fields
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def link_history_from_snapshots(apps, schema_editor):
    HistoricalProcedure = apps.get_model("qms", "HistoricalAdministrativeProcedure")
    Snapshot = apps.get_model("qms", "HistoricalAdministrativeProcedure_handling_agencies")
    HistoricalLink = apps.get_model("qms", "HistoricalHandlingAgency")
    snapshots = defaultdict(dict)  # procedure history id -> {agency id: link id}
    for row in Snapshot.objects.values("history_id", "agency_id", "id"):
        snapshots[row["history_id"]][row["agency_id"]] = row["id"]
    before = defaultdict(dict)  # procedure id -> {agency id: link id} after its last record
    rows = []
    for record in HistoricalProcedure.objects.order_by("history_date", "history_id"):
        now = snapshots.get(record.history_id, {})
        previous = before[record.id]
        changes = [("+", a, now[a]) for a in sorted(set(now) - set(previous))]
        changes += [("-", a, previous[a]) for a in sorted(set(previous) - set(now))]
        for history_type, agency_id, link_id in changes:
            rows.append(
                HistoricalLink(
                    id=link_id,
                    procedure_id=record.id,
                    agency_id=agency_id,
                    history_date=record.history_date,
                    history_user_id=record.history_user_id,
                    history_type=history_type,
                )
            )
        before[record.id] = now
    HistoricalLink.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("qms", "0006_outbox_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="timelimit",
            name="procedure",
            field=modelcluster.fields.ParentalKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="time_limits",
                to="qms.administrativeprocedure",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HandlingAgency",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="qms.agency",
                                verbose_name="cơ quan giải quyết",
                            ),
                        ),
                        (
                            "procedure",
                            modelcluster.fields.ParentalKey(
                                db_column="administrativeprocedure_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="handling_agency_links",
                                to="qms.administrativeprocedure",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "cơ quan giải quyết",
                        "verbose_name_plural": "cơ quan giải quyết",
                        "db_table": "qms_administrativeprocedure_handling_agencies",
                        "unique_together": {("procedure", "agency")},
                    },
                ),
                migrations.AlterField(
                    model_name="administrativeprocedure",
                    name="handling_agencies",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="administrative_procedures",
                        through="qms.HandlingAgency",
                        to="qms.agency",
                        verbose_name="cơ quan giải quyết",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="HistoricalHandlingAgency",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="qms.agency",
                        verbose_name="cơ quan giải quyết",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "procedure",
                    models.ForeignKey(
                        blank=True,
                        db_column="administrativeprocedure_id",
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="qms.administrativeprocedure",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical cơ quan giải quyết",
                "verbose_name_plural": "historical cơ quan giải quyết",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(link_history_from_snapshots, migrations.RunPython.noop),
        migrations.DeleteModel(name="HistoricalAdministrativeProcedure_handling_agencies"),
    ]
