"""Who may reach each URL of the core (see tests/authz.py); each app keeps its own rules module."""

from tests.authz import ADMIN, EVERYONE, MEMBERS, ROLES, Rule, on_node

MEMBERS_AND_ADMIN = MEMBERS | ADMIN


def _membership(world):
    return {"pk": world.node.memberships.filter(role="staff").first().pk}


def _agency(world):
    return {"pk": world.node.pk}


RULES = [
    # --- public site ---
    Rule("healthz", EVERYONE),
    Rule("set_language", EVERYONE, method="POST", ok=frozenset({302})),
    Rule("wagtail_serve", EVERYONE, kwargs=lambda w: [""]),
    Rule("route:admin/test404/", MEMBERS_AND_ADMIN, note="Wagtail's 404 page preview"),
    Rule("route:admin/^.*/$", frozenset(), note="Wagtail admin's catch-all 404"),
    Rule("route:django-admin/*", ADMIN, admin_any=True),
    # --- qms core admin ---
    Rule("qms_inbox", MEMBERS_AND_ADMIN),
    Rule("qms_inbox_read", MEMBERS_AND_ADMIN, method="POST", ok=frozenset({302})),
    Rule("agencies:index*", MEMBERS_AND_ADMIN),
    Rule("agencies:inspect", on_node(*("officer", "auditor", "leader", "staff")), kwargs=_agency),
    Rule("agencies:history*", on_node(*("officer", "auditor", "leader", "staff")), kwargs=_agency),
    Rule("agencies:usage", on_node(*("officer", "auditor", "leader", "staff")), kwargs=_agency),
    Rule("agencies:*", ADMIN, kwargs=_agency),
    Rule("agency_chooser:choose*", MEMBERS_AND_ADMIN, note="listing scoped to the user's agencies"),
    Rule("agency_chooser:chosen", on_node(*ROLES), kwargs=lambda w: {"pk": w.node.pk}),
    Rule("agency_chooser:chosen_multiple", MEMBERS_AND_ADMIN),
    Rule("agency_chooser:create", ADMIN, admin_any=True),
    Rule("memberships:index*", on_node("officer", "leader", sibling=True)),
    Rule("memberships:add", on_node("officer", sibling=True)),
    Rule("memberships:edit", on_node("officer"), kwargs=_membership),
    Rule("memberships:delete", on_node("officer"), kwargs=_membership),
    Rule("memberships:*", on_node("officer", "leader"), kwargs=_membership),
    Rule("tthc:index*", MEMBERS_AND_ADMIN),
    Rule("calendar_overrides:index*", MEMBERS_AND_ADMIN),
    Rule("agency_successions:index*", MEMBERS_AND_ADMIN),
    Rule("tthc:*", ADMIN, admin_any=True),
    Rule("calendar_overrides:*", ADMIN, admin_any=True),
    Rule("agency_successions:*", ADMIN, admin_any=True),
    Rule("qms_tthc_import", ADMIN),
    Rule("qms_working_calendar", MEMBERS_AND_ADMIN),
]

# Wagtail's and Django's own screens, after every app's rules.
FALLBACK_RULES = [
    # --- Wagtail and Django built-ins ---
    Rule("admin:login", EVERYONE, ok=frozenset({200, 302})),
    Rule("admin:logout", EVERYONE, method="POST", ok=frozenset({200, 302})),
    Rule("admin:app_list", ADMIN, kwargs=lambda w: {"app_label": "auth"}),
    Rule("admin:*", ADMIN, admin_any=True, note="Django admin: administrators only"),
    Rule("wagtailadmin_login", EVERYONE, ok=frozenset({200, 302})),
    Rule("wagtailadmin_dismissibles", MEMBERS_AND_ADMIN, note="the user's own UI state"),
    Rule("wagtailadmin_editing_sessions:release", MEMBERS_AND_ADMIN, note="own session"),
    Rule("wagtail*_chooser:chosen", frozenset(), kwargs=lambda w: {"pk": 999999}, admin_any=True),
    Rule("wagtail*_chooser:select_format", frozenset(), admin_any=True),
    Rule("wagtail*_chooser:create", ADMIN),
    Rule(
        "wagtail*_chooser:*",
        MEMBERS_AND_ADMIN,
        note="Wagtail's collection permissions; no document or image belongs to an agency yet",
    ),
    Rule("wagtailcore_login", EVERYONE),
    Rule("wagtailadmin_password_reset*", EVERYONE),
    Rule("wagtailadmin_javascript_catalog", EVERYONE),
    Rule("wagtailadmin_sprite", EVERYONE),
    Rule("wagtaildocs_serve", frozenset(), kwargs=lambda w: [999999, "x.pdf"]),
    Rule("wagtaildocs_authenticate_with_password", frozenset()),
    Rule("wagtailcore_authenticate_with_password", frozenset()),
    Rule("wagtailadmin_logout", MEMBERS_AND_ADMIN, method="POST", ok=frozenset({302})),
    Rule("wagtailadmin_error_test", MEMBERS_AND_ADMIN, ok=frozenset({500})),
    Rule("wagtailadmin_home", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_account", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_tag_autocomplete", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_choose_page", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_choose_page_search", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_choose_page_chosen_multiple", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_choose_page_*_link", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_api:*:listing", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_workflows:task_chooser*", MEMBERS_AND_ADMIN),
    Rule("wagtailadmin_reports:site_history*", ADMIN, note="shadowed by qms_site_history"),
    Rule("qms_site_history*", ADMIN, note="log entries of every agency"),
    Rule("wagtailadmin_api:pages:action", ADMIN, method="POST", admin_any=True),
    Rule("wagtailadmin_workflows:enable*", ADMIN, method="POST", admin_any=True),
    Rule("wagtailadmin_workflows:remove", ADMIN, method="POST", admin_any=True),
    Rule("wagtail*", ADMIN, admin_any=True, note="Wagtail's own screens: administrators"),
]
