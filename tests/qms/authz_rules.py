"""Who may reach each URL of the core (see tests/authz.py); each app keeps its own rules module."""

from tests.authz import ADMIN, EVERYONE, MEMBERS, ROLES, Rule, on_node

MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def _membership(world):
    return {"pk": world.node.memberships.filter(role="staff").first().pk}


def _agency(world):
    return {"pk": world.node.pk}


def _tthc(world):
    """A real TTHC with a time limit, so object views are tried on an object that exists."""
    import datetime

    from qms.models import AdministrativeProcedure, TimeLimit

    procedure, created = AdministrativeProcedure.objects.get_or_create(
        code="1.000001",
        defaults={
            "name": "Thủ tục thử",
            "field": "Hộ tịch",
            "level": "commune",
            "online_level": "none",
        },
    )
    if created:
        TimeLimit.objects.create(
            procedure=procedure, working_days=5, effective_from=datetime.date(2020, 1, 1)
        )
    return {"pk": procedure.pk}


def _uncertain_email(world):
    """A real outbox row that may be resent (the admin's POST puts it back in the queue)."""
    from qms.models import OutboundEmail

    email, _ = OutboundEmail.objects.get_or_create(
        to="node_staff@example.test",
        subject="Thư chưa chắc đã gửi",
        defaults={"body": "x", "status": "uncertain", "attempts": 1},
    )
    return {"pk": email.pk}


def _doc(world):
    return world.objects["document", world.node.pk]


def _image(world):
    return world.objects["image", world.node.pk]


def _draft(world):
    return world.objects["draft", world.node.pk]


def _agency_page(world):
    return world.objects["page", world.node.pk]


def _first(model_path):
    def value(world):
        from django.apps import apps

        model = apps.get_model(model_path)
        obj = model._default_manager.order_by("pk").first()
        return obj.pk if obj else None

    return value


def populate(world):
    """Objects for the object URLs of Wagtail's and Django's admin screens (reference data)."""
    import datetime

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from tests import factories

    world.objects["tthc"] = factories.tthc(code="1.009999", working_days="5")
    from django.utils import timezone
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from qms.models import Agency, AgencyKind, AgencySuccession, CalendarOverride
    from qms.services.agencies import agency_create

    seen = {"user_agent": "test", "ip_address": "10.0.0.1", "username": "x", "path_info": "/"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**seen, locked_out=False)
    AccessLog.objects.create(**seen)
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    CrontabSchedule.objects.get_or_create(minute="5", hour="0")
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    SolarSchedule.objects.get_or_create(event="sunrise", latitude=21.03, longitude=105.85)
    PeriodicTask.objects.get_or_create(
        name="qms-test-task", defaults={"task": "qms.tasks.sync_rights", "interval": interval}
    )
    former = agency_create(
        actor=None,
        agency=Agency(
            code="TP-CU",
            name="Sở cũ thử",
            kind=AgencyKind.DEPARTMENT,
            parent=world.parent,
            valid_to=datetime.date(2025, 6, 30),
        ),
    )
    AgencySuccession.objects.create(
        predecessor=former,
        successor=world.node,
        kind="merge",
        effective_date=datetime.date(2025, 7, 1),
    )
    if not CalendarOverride.objects.exists():
        CalendarOverride.objects.create(
            date=datetime.date(2026, 1, 2),
            kind="off",
            reason="Hoán đổi ngày làm việc",
            document_number="1/TB-VPCP",
            document_date=datetime.date(2025, 12, 1),
        )


# How each object URL names a real object: (URL name pattern, kwarg, world -> value).
OBJECT_KWARGS = [
    ("wagtailadmin_api:pages:*", "pk", lambda w: _draft(w).pk),
    ("wagtailadmin_api:documents:*", "pk", lambda w: _doc(w).pk),
    ("wagtailadmin_api:images:*", "pk", lambda w: _image(w).pk),
    ("wagtailadmin_api:pages:action", "action_name", lambda w: "publish"),
    ("wagtailadmin_choose_page_child", "parent_page_id", lambda w: _agency_page(w).pk),
    ("wagtailadmin_explore*", "parent_page_id", lambda w: _agency_page(w).pk),
    ("wagtailadmin_pages:*", "parent_page_id", lambda w: _agency_page(w).pk),
    ("wagtailadmin_pages:*", "destination_id", lambda w: _agency_page(w).pk),
    ("wagtailadmin_pages:*", "page_id", lambda w: _draft(w).pk),
    ("wagtailadmin_pages:*", "page_to_move_id", lambda w: _draft(w).pk),
    ("wagtailadmin_pages:*", "revision_id", lambda w: _draft(w).latest_revision_id),
    ("wagtailadmin_pages:*", "content_type_app_name", lambda w: "documents"),
    ("wagtailadmin_pages:*", "content_type_model_name", lambda w: "procedurepage"),
    ("wagtailadmin_pages:choose_parent", "app_label", lambda w: "documents"),
    ("wagtailadmin_pages:choose_parent", "model_name", lambda w: "procedurepage"),
    ("tthc_chooser:*", "pk", lambda w: w.objects["tthc"].pk),
    ("*workflow_preview", "task_id", _first("wagtailcore.Task")),
    ("qms_*workflow*", "page_id", lambda w: _draft(w).pk),
    ("qms_task_chosen", "task_id", _first("wagtailcore.Task")),
    ("wagtailadmin_workflows:remove", "page_pk", lambda w: _agency_page(w).pk),
    ("wagtailadmin_workflows:remove", "workflow_pk", _first("wagtailcore.Workflow")),
    ("wagtailadmin_workflows:*task*", "pk", _first("wagtailcore.Task")),
    ("wagtailadmin_workflows:task_chosen", "task_id", _first("wagtailcore.Task")),
    ("wagtailadmin_workflows:add_task", "app_label", lambda w: "wagtailcore"),
    ("wagtailadmin_workflows:add_task", "model_name", lambda w: "groupapprovaltask"),
    ("wagtailadmin_workflows:*", "pk", _first("wagtailcore.Workflow")),
    ("wagtailadmin_collections:*", "pk", lambda w: w.node.collection_id),
    ("wagtailadmin_collections:*", "collection_id", lambda w: w.node.collection_id),
    ("wagtailsites:*", "pk", _first("wagtailcore.Site")),
    ("wagtailusers_users:*", "pk", lambda w: w.users["node", "staff"].pk),
    ("wagtailusers_groups:*", "pk", _first("auth.Group")),
    ("wagtailsettings:*", "app_name", lambda w: "qms"),
    ("wagtailsettings:*", "model_name", lambda w: "workingcalendarsettings"),
    ("wagtailsettings:*", "pk", lambda w: _calendar_settings_pk()),
    ("wagtaildocs*", "document_id", lambda w: _doc(w).pk),
    ("wagtaildocs*", "doc_id", lambda w: _doc(w).pk),
    ("wagtaildocs_chooser:*", "pk", lambda w: _doc(w).pk),
    ("wagtailimages*", "image_id", lambda w: _image(w).pk),
    ("wagtailimages*", "filter_spec", lambda w: "max-80x80"),
    ("wagtailimages_chooser:*", "pk", lambda w: _image(w).pk),
    ("wagtail_bulk_action", "app_label", lambda w: "wagtailcore"),
    ("wagtail_bulk_action", "model_name", lambda w: "page"),
    ("wagtail_bulk_action", "action", lambda w: "publish"),
    ("wagtailadmin_tag_model_autocomplete", "app_name", lambda w: "taggit"),
    ("wagtailadmin_tag_model_autocomplete", "model_name", lambda w: "tag"),
    ("qms_tag_autocomplete_for", "app_name", lambda w: "taggit"),
    ("qms_tag_autocomplete_for", "model_name", lambda w: "tag"),
    ("agency_successions:*", "pk", _first("qms.AgencySuccession")),
    ("calendar_overrides:*", "pk", _first("qms.CalendarOverride")),
    ("admin:*", "object_id", lambda w: None),  # replaced below (per model of the Django admin)
]


def _calendar_settings_pk():
    from qms.models import WorkingCalendarSettings

    return WorkingCalendarSettings.load().pk


def _django_admin_kwargs():
    """The Django admin's object URLs (admin:<app>_<model>_<action>) name each model's first row."""
    from django.contrib import admin

    rows = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        rows.append((prefix + "*", "object_id", _first(model._meta.label)))
        rows.append((prefix + "*", "id", _first(model._meta.label)))
    return rows


OBJECT_KWARGS = [row for row in OBJECT_KWARGS if row[0] != "admin:*"] + _django_admin_kwargs()

RULES = [
    # --- public site ---
    Rule("healthz", EVERYONE),
    Rule("favicon", EVERYONE, ok=frozenset({301})),
    Rule("set_language", EVERYONE, method="POST", ok=frozenset({302})),
    Rule("wagtail_serve", EVERYONE, kwargs=lambda w: [""]),
    Rule("route:admin/test404/", MEMBERS_AND_ADMIN, note="Wagtail's 404 page preview"),
    Rule("route:admin/^.*/$", frozenset(), note="Wagtail admin's catch-all 404"),
    Rule("route:django-admin/*", ADMIN, admin_any=True),
    # --- qms core admin ---
    Rule("qms_inbox", MEMBERS_AND_ADMIN),
    Rule("qms_inbox_read", MEMBERS_AND_ADMIN, method="POST", ok=frozenset({302})),
    Rule("agencies:index", MEMBERS_AND_ADMIN),
    Rule("agencies:index_results", MEMBERS_AND_ADMIN, query={"q": "mk"}, exports=True),
    Rule("agencies:inspect", on_node(*("officer", "auditor", "leader", "staff")), kwargs=_agency),
    Rule("agencies:history*", on_node(*("officer", "auditor", "leader", "staff")), kwargs=_agency),
    Rule("agencies:usage", on_node(*("officer", "auditor", "leader", "staff")), kwargs=_agency),
    Rule("agencies:*", ADMIN, kwargs=_agency),
    Rule("agency_chooser:choose*", MEMBERS_AND_ADMIN, note="listing scoped to the user's agencies"),
    Rule("agency_chooser:chosen", on_node(*ROLES), kwargs=lambda w: {"pk": w.node.pk}),
    Rule("agency_chooser:chosen_multiple", MEMBERS_AND_ADMIN),
    Rule("agency_chooser:create", ADMIN, admin_any=True),
    Rule("tthc_chooser:choose*", MEMBERS_AND_ADMIN, query={"q": "thu tuc"}),
    Rule("tthc_chooser:chosen*", MEMBERS_AND_ADMIN, note="reference data: every member"),
    Rule("tthc_chooser:create", ADMIN, admin_any=True),
    Rule("memberships:index", on_node("officer", "leader", sibling=True), shows="person"),
    Rule(
        "memberships:index_results",
        on_node("officer", "leader", sibling=True),
        shows="person",
        query={"q": "mk"},
        exports=True,
    ),
    Rule(
        "memberships:inspect",
        on_node("officer", "leader"),
        kwargs=_membership,
        shows="note",
        shows_for=on_node("officer", "leader") - {"admin"},
    ),
    Rule("memberships:add", on_node("officer", "leader", sibling=True)),
    Rule("memberships:edit", on_node("officer", "leader"), kwargs=_membership),
    Rule("memberships:delete", ADMIN, kwargs=_membership, note="ended, never deleted"),
    Rule(
        "memberships:transition",
        on_node("officer", "leader"),
        kwargs=lambda w: {**_membership(w), "transition": "end"},
    ),
    Rule("memberships:*", on_node("officer", "leader"), kwargs=_membership),
    Rule("tthc:index*", MEMBERS_AND_ADMIN),
    Rule("tthc:inspect", MEMBERS_AND_ADMIN, kwargs=_tthc, note="reference data: every member"),
    Rule("tthc:history*", MEMBERS_AND_ADMIN, kwargs=_tthc),
    Rule("tthc:usage", MEMBERS_AND_ADMIN, kwargs=_tthc),
    Rule("tthc:edit", ADMIN, kwargs=_tthc),
    Rule("tthc:delete", ADMIN, kwargs=_tthc),
    Rule("calendar_overrides:index*", MEMBERS_AND_ADMIN),
    Rule("agency_successions:index*", MEMBERS_AND_ADMIN),
    # reference data: every member reads each record, its history and usage
    Rule("calendar_overrides:inspect", MEMBERS_AND_ADMIN),
    Rule("calendar_overrides:history*", MEMBERS_AND_ADMIN),
    Rule("calendar_overrides:usage", MEMBERS_AND_ADMIN),
    Rule("agency_successions:inspect", MEMBERS_AND_ADMIN),
    Rule("agency_successions:history*", MEMBERS_AND_ADMIN),
    Rule("agency_successions:usage", MEMBERS_AND_ADMIN),
    Rule("tthc:*", ADMIN, admin_any=True),
    Rule("calendar_overrides:*", ADMIN, admin_any=True),
    Rule("agency_successions:*", ADMIN, admin_any=True),
    Rule("qms_tthc_import", ADMIN),
    Rule(
        "qms_media",
        on_node(*ROLES),
        kwargs=lambda w: {"name": w.objects["image", w.node.pk].file.name},
        note="an image of the node: its members (and people above) only",
    ),
    Rule("qms_working_calendar", MEMBERS_AND_ADMIN),
    Rule("outbox:index*", ADMIN, note="the e-mail outbox: administrators only"),
    Rule(
        "outbox:transition",
        ADMIN,
        kwargs=lambda w: {**_uncertain_email(w), "transition": "resend"},
    ),
    Rule("outbox:*", ADMIN, kwargs=_uncertain_email),
    Rule("qms_user_guide", MEMBERS_AND_ADMIN),
]

# Officers and leaders hold Wagtail's add/change rights on their agency's page and collection;
# every member may choose its files.
EDITORS = on_node("officer", "leader")
ANY_EDITOR = on_node("officer", "leader", sibling=True)
NO_OBJECT = "nothing of the kind exists in the test world"

# Wagtail's and Django's own screens, after every app's rules.
FALLBACK_RULES = [
    # --- Django admin: administrators only ---
    Rule("admin:login", EVERYONE, ok=frozenset({200, 302})),
    Rule("admin:logout", EVERYONE, method="POST", ok=frozenset({200, 302})),
    Rule("admin:app_list", ADMIN, kwargs=lambda w: {"app_label": "auth"}),
    Rule("admin:view_on_site", ADMIN, admin_any=True, no_object="a redirect helper"),
    Rule("admin:*", ADMIN, admin_any=True, note="Django admin: administrators only"),
    # --- sign-in, account, furniture ---
    Rule("wagtailadmin_login", EVERYONE, ok=frozenset({200, 302})),
    Rule("wagtailcore_login", EVERYONE),
    Rule("wagtailadmin_password_reset_confirm", EVERYONE, no_object="a signed token"),
    Rule("wagtailadmin_password_reset*", EVERYONE),
    Rule("wagtailadmin_javascript_catalog", EVERYONE),
    Rule("wagtailadmin_sprite", EVERYONE),
    Rule("wagtailadmin_logout", MEMBERS_AND_ADMIN, method="POST", ok=frozenset({302})),
    Rule("wagtailadmin_error_test", MEMBERS_AND_ADMIN, ok=frozenset({500})),
    Rule("wagtailadmin_home", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_account", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_dismissibles", MEMBERS_AND_ADMIN, note="the user's own UI state"),
    Rule(
        "wagtailadmin_editing_sessions:*",
        MEMBERS_AND_ADMIN,
        method="POST",
        ok=frozenset({200, 404}),
        no_object="an editing session is made by opening an editor",
        note="the user's own session",
    ),
    # --- files: documents and images in the agency's collection ---
    Rule("wagtaildocs_serve", on_node(*ROLES), kwargs=lambda w: [_doc(w).pk, _doc(w).filename]),
    Rule("wagtaildocs_authenticate_with_password", frozenset(), no_object="no password privacy"),
    Rule("wagtailcore_authenticate_with_password", frozenset(), no_object="no password privacy"),
    Rule("qms_documents*", ANY_EDITOR, shows="doc", query={"q": "mk"}),
    Rule("wagtaildocs:index*", ANY_EDITOR, shows="doc"),
    Rule("wagtaildocs:add*", ANY_EDITOR),
    Rule("wagtaildocs:*upload*", frozenset(), no_object="an upload in progress"),
    Rule(
        "wagtaildocs:*_multiple",
        EDITORS,
        method="POST",
        ok=frozenset({200, 404}),
        admin_any=True,
        note="AJAX steps of the multiple upload",
    ),
    Rule("wagtaildocs:*", EDITORS, note="edit, delete and usage: Wagtail's change right"),
    Rule("wagtaildocs_chooser:choose*", MEMBERS_AND_ADMIN, shows="doc", query={"q": "mk"}),
    Rule("wagtaildocs_chooser:chosen", on_node(*ROLES)),
    Rule("wagtaildocs_chooser:chosen_multiple", MEMBERS_AND_ADMIN),
    Rule("wagtaildocs_chooser:create", ANY_EDITOR),
    Rule("qms_images*", ANY_EDITOR, shows="img", query={"q": "mk"}),
    Rule("wagtailimages:index*", ANY_EDITOR, shows="img"),
    Rule("wagtailimages:add*", ANY_EDITOR),
    Rule("wagtailimages:*upload*", frozenset(), no_object="an upload in progress"),
    Rule(
        "wagtailimages:*_multiple",
        EDITORS,
        method="POST",
        ok=frozenset({200, 404}),
        admin_any=True,
        note="AJAX steps of the multiple upload",
    ),
    Rule("wagtailimages:url_generator*", frozenset(), admin_any=True, note="no dynamic serve"),
    Rule("wagtailimages:*", EDITORS, note="edit, delete, preview: Wagtail's change right"),
    Rule("wagtailimages_chooser:choose*", MEMBERS_AND_ADMIN, shows="img", query={"q": "mk"}),
    Rule("wagtailimages_chooser:chosen", on_node(*ROLES)),
    Rule("wagtailimages_chooser:select_format", on_node(*ROLES)),
    Rule("wagtailimages_chooser:chosen_multiple", MEMBERS_AND_ADMIN),
    Rule("wagtailimages_chooser:create", ANY_EDITOR),
    Rule("qms_tag_autocomplete", MEMBERS_AND_ADMIN, shows="tag", query={"term": "mk"}),
    Rule("wagtailadmin_tag_autocomplete", MEMBERS_AND_ADMIN, shows="tag", query={"term": "mk"}),
    Rule("*tag*autocomplete*", ADMIN, admin_any=True, note="custom tag models are not used"),
    # --- the admin API behind choosers and the page explorer ---
    Rule("wagtailadmin_api:documents:listing", MEMBERS_AND_ADMIN, shows="doc"),
    Rule("wagtailadmin_api:images:listing", MEMBERS_AND_ADMIN, shows="img"),
    Rule("wagtailadmin_api:pages:listing", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_api:*:find", MEMBERS_AND_ADMIN, ok=frozenset({200, 400, 404})),
    Rule("wagtailadmin_api:documents:detail", on_node(*ROLES)),
    Rule("wagtailadmin_api:images:detail", on_node(*ROLES)),
    Rule("wagtailadmin_api:pages:detail", EDITORS),
    Rule(
        "wagtailadmin_api:pages:action",
        frozenset(),
        method="POST",
        admin_any=True,
        kwargs=lambda w: {"pk": _draft(w).pk, "action_name": "unlock"},
        note="no one holds Wagtail's lock right",
    ),
    # --- pages: the node's agency page and its draft ---
    Rule("wagtailadmin_choose_page", MEMBERS_AND_ADMIN),
    Rule(
        "wagtailadmin_choose_page_child",
        MEMBERS_AND_ADMIN,
        shows="draft",
        shows_for=on_node(*ROLES),
        note="another agency's page shows no child (agency names are public)",
    ),
    Rule("wagtailadmin_choose_page_search", MEMBERS_AND_ADMIN, query={"q": "mk"}),
    Rule("wagtailadmin_choose_page_chosen_multiple", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_choose_page_*_link", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_explore_root", ANY_EDITOR, ok=frozenset({200, 302})),
    Rule("wagtailadmin_explore*", EDITORS, shows="draft"),
    Rule("wagtailadmin_pages:search*", ANY_EDITOR, query={"q": "mk"}),
    Rule("wagtailadmin_pages:*workflow_action*", frozenset(), no_object="no task in progress"),
    Rule("wagtailadmin_pages:workflow_history_detail", frozenset(), no_object="no workflow run"),
    Rule("wagtailadmin_pages:convert_alias", frozenset(), admin_any=True, note="not an alias"),
    Rule(
        "wagtailadmin_pages:choose_parent",
        MEMBERS_AND_ADMIN,
        ok=frozenset({200, 302}),
        note="pages where one may add; one place only: straight to its form",
    ),
    Rule("wagtailadmin_pages:type_use*", ANY_EDITOR),
    Rule(
        "wagtailadmin_pages:revisions_compare",
        EDITORS,
        kwargs=lambda w: {
            "pk": _draft(w).pk,
            "revision_id_a": "earliest",
            "revision_id_b": "latest",
        },
    ),
    # Publishing rights: nobody holds Wagtail's publish right on pages (procedures go live through
    # their approval workflow, documents.workflow; tests/documents/test_publish_paths.py tries
    # every path), so what needs it is for administrators only.
    Rule(
        "wagtailadmin_pages:unpublish",
        ADMIN,
        kwargs=lambda w: {"page_id": _agency_page(w).pk},
        note="the live agency page",
    ),
    Rule("wagtailadmin_pages:revisions_unschedule", ADMIN, note="a draft that is no procedure"),
    Rule("wagtailadmin_pages:move*", EDITORS),
    Rule("wagtailadmin_pages:set_page_position", ADMIN),
    Rule("wagtailadmin_pages:set_privacy", ADMIN),
    Rule("wagtailadmin_pages:delete", EDITORS, note="a draft: Wagtail's change right"),
    Rule("wagtailadmin_pages:add_subpage", EDITORS, ok=frozenset({200, 302})),
    Rule("wagtailadmin_pages:revisions_index", EDITORS, ok=frozenset({302}), note="→ history"),
    Rule("wagtailadmin_pages:workflow_preview", frozenset(), admin_any=True, note="no workflow"),
    Rule("qms_workflow_preview", frozenset(), admin_any=True, note="no workflow"),
    Rule("wagtailadmin_pages:*lock", frozenset(), admin_any=True, note="no one holds lock rights"),
    Rule("wagtailadmin_pages:*", EDITORS, admin_any=True, note="Wagtail's page rights"),
    # --- reports and workflows ---
    Rule("wagtailadmin_reports:site_history*", ADMIN, note="shadowed by qms_site_history"),
    Rule("qms_site_history*", ADMIN, note="log entries of every agency"),
    Rule("wagtailadmin_reports:page_types_usage*", ADMIN, note="shadowed: last edited pages"),
    Rule("qms_page_types_usage*", ADMIN, note="last edited page of every agency"),
    Rule("wagtailadmin_reports:workflow*", ANY_EDITOR, note="shadowed: scoped to own pages"),
    Rule("qms_workflow*", ANY_EDITOR, note="workflow states of pages the person may edit"),
    Rule("wagtailadmin_reports:aging_pages*", ANY_EDITOR, note="Wagtail's page rights"),
    Rule("qms_confirm_workflow_cancellation", EDITORS, kwargs=lambda w: {"page_id": _draft(w).pk}),
    Rule("qms_task_cho*", ADMIN, note="tasks are configured by administrators"),
    Rule("wagtailadmin_workflows:task_cho*", ADMIN, note="shadowed by qms_task_chooser"),
    Rule("wagtailadmin_workflows:enable*", ADMIN, method="POST", admin_any=True),
    Rule("wagtailadmin_workflows:remove", ADMIN, method="POST", admin_any=True),
    Rule("wagtail*", ADMIN, admin_any=True, note="Wagtail's own screens: administrators"),
]
