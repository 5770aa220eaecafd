"""Matrix rules and marked objects of the imports, their sources (column mappings), the TTHC clock
rules and the recomputations (gathered by tests/indicators/authz_rules.py).

Each agency has a checked import whose file name carries its marker and one rejected row whose
value carries another (the import's page, its progress and its error report), a source whose name
carries its marker, and a previewed recomputation whose reason and listed change carry markers.
The clock rules are reference data (no marker). Who (indicators/rules.py):

- imports: read by the officers and leaders of the agency and above; uploaded and confirmed (the
  transitions) by its officers; nobody edits or deletes one;
- sources: its officers only (read, add, change); deleted by the administrator;
- clock rules: read by every member, kept by the administrator;
- recomputations: requested, read and applied by officers and leaders; never edited or deleted.
"""

from tests.authz import ADMIN, MEMBERS, Rule, on_node

KEEPERS_ANYWHERE = on_node("officer", "leader", sibling=True)
NODE_KEEPERS = on_node("officer", "leader")
OFFICERS_ANYWHERE = on_node("officer", sibling=True)
NODE_OFFICERS = on_node("officer")
MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def populate(world):
    import datetime

    from django.core.files.base import ContentFile

    from indicators.models import (
        ClockRule,
        DossierImport,
        ImportRowError,
        ImportSource,
        ImportState,
        Recomputation,
        SupplementRule,
    )
    from tests import factories

    for place in world.agencies():
        source = ImportSource.objects.create(
            agency=place,
            name=f"Nguồn {world.mark(place, 'importsource')}",
            mapping={"code": f"Số biên nhận {world.mark(place, 'importmapping')}"},
        )
        world.objects["importsource", place.pk] = source
        imp = DossierImport(
            agency=place,
            source=source,
            file_name=f"{world.mark(place, 'dossierimport')}.csv",
            state=ImportState.CHECKED,
            total_rows=3,
            rows_done=3,
            new_count=2,
            rejected_count=1,
        )
        imp.file.save("ho-so.csv", ContentFile(b"Ma ho so\n"), save=False)
        imp.save()
        ImportRowError.objects.create(
            dossier_import=imp,
            line=3,
            field="Mã TTHC",
            value=world.mark(place, "importrow"),
            message="không có trong danh mục TTHC",
        )
        world.objects["dossierimport", place.pk] = imp
        world.objects["recomputation", place.pk] = Recomputation.objects.create(
            agency=place,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 3, 31),
            reason=f"Nghỉ bù {world.mark(place, 'recomputation')}",
            calendar_version="thu",
            examined=1,
            changed=1,
            changes=[
                {
                    "dossier": 0,
                    "code": world.mark(place, "recomputedcode"),
                    "name": "due_at",
                    "field": "hạn giải quyết",
                    "before": "05/02/2025 15:00",
                    "after": "06/02/2025 15:00",
                    "raw": ["", ""],
                }
            ],
        )
    world.objects["clockrule"] = ClockRule.objects.create(
        procedure=factories.tthc(code="1.008888"),
        supplement_rule=SupplementRule.PAUSE,
        legal_basis="Nghị định thử",
    )


def _node(kind):
    return lambda world: {"pk": world.objects[kind, world.node.pk].pk}


def _clock_rule(world):
    return {"pk": world.objects["clockrule"].pk}


OBJECT_KWARGS = [
    ("dossier_imports:*", "pk", lambda w: w.objects["dossierimport", w.node.pk].pk),
    ("dossier_import_sources:*", "pk", lambda w: w.objects["importsource", w.node.pk].pk),
    ("dossier_recomputations:*", "pk", lambda w: w.objects["recomputation", w.node.pk].pk),
    ("clock_rules:*", "pk", lambda w: w.objects["clockrule"].pk),
]

RULES = [
    # --- Imports ---
    Rule("dossier_imports:index", KEEPERS_ANYWHERE, shows="dossierimport"),
    Rule(
        "dossier_imports:index_results",
        KEEPERS_ANYWHERE,
        shows="dossierimport",
        query={"q": "csv"},
        exports=True,
    ),
    Rule("dossier_imports:add", OFFICERS_ANYWHERE, note="officers upload into their agencies"),
    Rule(
        "dossier_imports:transition",
        NODE_OFFICERS,
        kwargs=lambda w: {**_node("dossierimport")(w), "transition": "confirm_good"},
        note="confirm (or cancel) the node's checked import: its officers and those above",
    ),
    Rule(
        "dossier_imports:report",
        NODE_KEEPERS,
        kwargs=lambda w: {**_node("dossierimport")(w), "fmt": "csv"},
        note="the error report of the node's import, for whoever reads the import",
    ),
    Rule(
        "dossier_imports:*",
        NODE_KEEPERS,
        kwargs=_node("dossierimport"),
        note="inspect, progress, history, usage: the node's officers and leaders and above",
    ),
    # --- Sources (column mappings) ---
    Rule("dossier_import_sources:index", OFFICERS_ANYWHERE, shows="importsource"),
    Rule(
        "dossier_import_sources:index_results",
        OFFICERS_ANYWHERE,
        shows="importsource",
        query={"q": "Nguồn"},
        exports=True,
    ),
    Rule("dossier_import_sources:add", OFFICERS_ANYWHERE),
    Rule(
        "dossier_import_sources:delete",
        ADMIN,
        kwargs=_node("importsource"),
        note="a source is kept (imports name it): only the administrator deletes",
    ),
    Rule(
        "dossier_import_sources:*",
        NODE_OFFICERS,
        kwargs=_node("importsource"),
        note="edit, inspect, history, usage: the node's officers and those above",
    ),
    # --- Clock rules (reference data) ---
    Rule("clock_rules:index", MEMBERS_AND_ADMIN),
    Rule("clock_rules:index_results", MEMBERS_AND_ADMIN, query={"q": "1.008888"}, exports=True),
    Rule("clock_rules:add", ADMIN),
    Rule("clock_rules:edit", ADMIN, kwargs=_clock_rule),
    Rule("clock_rules:delete", ADMIN, kwargs=_clock_rule),
    Rule(
        "clock_rules:*",
        MEMBERS_AND_ADMIN,
        kwargs=_clock_rule,
        note="inspect, history, usage: every member reads the reference data",
    ),
    # --- Recomputations ---
    Rule("dossier_recomputations:index", KEEPERS_ANYWHERE, shows="recomputation"),
    Rule(
        "dossier_recomputations:index_results",
        KEEPERS_ANYWHERE,
        shows="recomputation",
        query={"q": "Nghỉ bù"},
        exports=True,
    ),
    Rule("dossier_recomputations:add", KEEPERS_ANYWHERE),
    Rule(
        "dossier_recomputations:transition",
        NODE_KEEPERS,
        kwargs=lambda w: {**_node("recomputation")(w), "transition": "apply"},
        note="apply the node's previewed recomputation: its officers and leaders and above",
    ),
    Rule(
        "dossier_recomputations:*",
        NODE_KEEPERS,
        kwargs=_node("recomputation"),
        note="inspect, history, usage: the node's officers and leaders and above",
    ),
]
