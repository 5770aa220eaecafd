"""The dossier table can be partitioned by time in PostgreSQL (issue [10] will do it): every unique
index of a partitioned table must include the partition key, and nothing may point a foreign key
at it. So (agency, code) lives in the unpartitioned key table, the dossier's only unique index is
its primary key, and events refer to the dossier's id without a database foreign key. The
PostgreSQL test builds the dossier table as Django creates it, turns it into a table partitioned by
``received_at`` with the primary key (id, received_at), attaches a partition and writes to it."""

import os
import uuid

import pytest
from django.apps import apps
from django.db import connection

from indicators.models import Dossier, DossierEvent, DossierKey
from tests.conftest import need_service


def test_nothing_points_a_foreign_key_at_the_dossier_table():
    pointing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "related_model", None) is Dossier
        and field.concrete
        and getattr(field, "db_constraint", False)
        and field.model is not Dossier
    ]
    assert pointing == []
    # Events keep the dossier's id as a plain number.
    field = DossierEvent._meta.get_field("dossier_id")
    assert field.get_internal_type() == "BigIntegerField" and not field.is_relation


def test_the_only_unique_index_of_dossiers_is_the_primary_key():
    unique = [f.name for f in Dossier._meta.concrete_fields if f.unique and not f.primary_key]
    assert unique == []
    assert [c for c in Dossier._meta.constraints if getattr(c, "fields", None)] == []
    assert Dossier._meta.unique_together == ()
    # The one-stop key is unique where it can be: in the unpartitioned key table.
    assert [c.fields for c in DossierKey._meta.constraints] == [("agency", "code")]


def _pg_scratch():
    """A connection to PostgreSQL: the test database on the PostgreSQL pass, else a scratch one."""
    if connection.vendor == "postgresql":
        return None
    need_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg

    url = os.environ.get("QMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return psycopg, url


def _create_sql(editor_connection) -> list[str]:
    """The CREATE TABLE and index statements Django runs for the dossier table (foreign key
    constraints to the other tables left out: the scratch database has only this table)."""
    with editor_connection.schema_editor(collect_sql=True, atomic=False) as editor:
        editor.create_model(Dossier)
        statements = [str(s) for s in editor.collected_sql]
    return [s for s in statements if "FOREIGN KEY" not in s]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_dossier_table_accepts_partitioning_by_receipt_time():
    scratch = _pg_scratch()
    if scratch is None:
        cursor_context = connection.cursor()
        table = Dossier._meta.db_table
        run = None
    else:
        psycopg, url = scratch
        from django.db.backends.postgresql.base import DatabaseWrapper

        name = f"qms_partition_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        run = (psycopg, url, name)
        target = url.rsplit("/", 1)[0] + "/" + name
        wrapper = DatabaseWrapper(
            {
                "NAME": name,
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": "5432",
                "PASSWORD": "",
                "OPTIONS": {},
                "CONN_MAX_AGE": 0,
                "CONN_HEALTH_CHECKS": False,
                "AUTOCOMMIT": True,
                "ATOMIC_REQUESTS": False,
                "TIME_ZONE": None,
                "TEST": {},
            },
            alias="partition_scratch",
        )
        statements = _create_sql(wrapper)
        wrapper.close()
        cursor_context = psycopg.connect(target, autocommit=True)
        table = Dossier._meta.db_table
    try:
        with cursor_context as cur:
            if run is not None:
                cur = cur.cursor()
                for statement in statements:
                    cur.execute(statement)
            # The unique indexes of the table as created: the primary key alone.
            cur.execute(
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid = %s::regclass AND indisunique",
                [table],
            )
            unique = [row[0] for row in cur.fetchall()]
            assert len(unique) == 1 and unique[0].endswith("_pkey")
            # Nothing references the table.
            cur.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
                [table],
            )
            assert cur.fetchall() == []
            # The same columns, partitioned by receipt time, with the partition key in the
            # primary key; a partition attached; a row written through the parent lands in it.
            cur.execute(
                f"CREATE TABLE dossier_by_time (LIKE {table} INCLUDING DEFAULTS) "
                "PARTITION BY RANGE (received_at)"
            )
            cur.execute("ALTER TABLE dossier_by_time ADD PRIMARY KEY (id, received_at)")
            cur.execute(f"CREATE TABLE dossier_2025 (LIKE {table} INCLUDING DEFAULTS)")
            cur.execute("ALTER TABLE dossier_2025 ADD PRIMARY KEY (id, received_at)")
            cur.execute(
                "ALTER TABLE dossier_by_time ATTACH PARTITION dossier_2025 "
                "FOR VALUES FROM ('2025-01-01 00:00+07') TO ('2026-01-01 00:00+07')"
            )
            for index in (
                "CREATE INDEX ON dossier_by_time (agency_id, received_on)",
                "CREATE INDEX ON dossier_by_time (state, due_at)",
            ):
                cur.execute(index)
            columns = [f.column for f in Dossier._meta.concrete_fields]
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                ["dossier_by_time"],
            )
            assert {row[0] for row in cur.fetchall()} == set(columns)
            cur.execute(
                "SELECT relname FROM pg_inherits JOIN pg_class ON inhrelid = pg_class.oid "
                "WHERE inhparent = 'dossier_by_time'::regclass"
            )
            assert [row[0] for row in cur.fetchall()] == ["dossier_2025"]
            cur.execute(
                "INSERT INTO dossier_by_time (id, agency_id, procedure_id, code, channel, "
                "received_at, received_on, state, outcome, limit_days, supplement_rule, "
                "supplement_count, clock_started_at, clock_credit_seconds, due_mismatch, timing, "
                "digitised, e_result, online_payment, calendar_version, source_updated_at, "
                "updated_at) VALUES (1, 1, 1, 'H1', 'online', '2025-01-24 15:00+07', "
                "'2025-01-24', 'received', '', 3, 'restart', 0, '2025-01-24 15:00+07', 0, "
                "false, '', false, false, false, 'v', '2025-01-24 15:00+07', now())"
            )
            cur.execute("SELECT count(*) FROM dossier_2025")
            assert cur.fetchone()[0] == 1
    finally:
        if run is not None:
            psycopg, url, name = run
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
