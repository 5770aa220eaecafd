"""URL map of the whole site."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from qms import admin_pages, security, views, wagtail_scope

# Wagtail screens that would list data of every agency, answered first by scoped versions
# (qms/wagtail_scope.py) or kept for administrators.
wagtail_shadows = [
    path("reports/site-history/", admin_pages.site_history, name="qms_site_history"),
    path(
        "reports/site-history/results/",
        admin_pages.site_history_results,
        name="qms_site_history_results",
    ),
    path("reports/page-types-usage/", admin_pages.page_types_usage, name="qms_page_types_usage"),
    path(
        "reports/page-types-usage/results/",
        admin_pages.page_types_usage_results,
        name="qms_page_types_usage_results",
    ),
    path("reports/workflow/", wagtail_scope.WorkflowView.as_view(), name="qms_workflow_report"),
    path(
        "reports/workflow/results/",
        wagtail_scope.WorkflowView.as_view(results_only=True),
        name="qms_workflow_report_results",
    ),
    path(
        "reports/workflow_tasks/",
        wagtail_scope.WorkflowTasksView.as_view(),
        name="qms_workflow_tasks_report",
    ),
    path(
        "reports/workflow_tasks/results/",
        wagtail_scope.WorkflowTasksView.as_view(results_only=True),
        name="qms_workflow_tasks_report_results",
    ),
    path("documents/", wagtail_scope.DocumentIndexView.as_view(), name="qms_documents"),
    path(
        "documents/results/",
        wagtail_scope.DocumentIndexView.as_view(results_only=True),
        name="qms_documents_results",
    ),
    path("images/", wagtail_scope.ImageIndexView.as_view(), name="qms_images"),
    path(
        "images/results/",
        wagtail_scope.ImageIndexView.as_view(results_only=True),
        name="qms_images_results",
    ),
    path("tag-autocomplete/", wagtail_scope.tag_autocomplete, name="qms_tag_autocomplete"),
    path(
        "tag-autocomplete/<slug:app_name>/<slug:model_name>/",
        wagtail_scope.tag_autocomplete,
        name="qms_tag_autocomplete_for",
    ),
    path(
        "pages/workflow/confirm_cancellation/<int:page_id>/",
        wagtail_scope.confirm_workflow_cancellation,
        name="qms_confirm_workflow_cancellation",
    ),
    path(
        "pages/workflow/preview/<int:page_id>/<int:task_id>/",
        wagtail_scope.workflow_preview,
        name="qms_workflow_preview",
    ),
    path("workflows/task_chooser/", admin_pages.task_chooser, name="qms_task_chooser"),
    path(
        "workflows/task_chooser/results/",
        admin_pages.task_chooser_results,
        name="qms_task_chooser_results",
    ),
    path(
        "workflows/task_chooser/create/",
        admin_pages.task_chooser_create,
        name="qms_task_chooser_create",
    ),
    path(
        "workflows/task_chooser/<int:task_id>/",
        admin_pages.task_chosen,
        name="qms_task_chosen",
    ),
]
# Like every Wagtail admin view: only people who may open the admin reach them.
for _shadow in wagtail_shadows:
    _shadow.callback = require_admin_access(_shadow.callback)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Wagtail's password reset under its own name, with a limit of e-mails per address.
    path(
        "admin/password_reset/",
        security.ThrottledPasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtail_shadows)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]

# Nothing serves MEDIA_ROOT directly, in any mode: images go through the policy (qms.views.media),
# documents through Wagtail's serve view and the before_serve_document hook.
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", views.media, name="qms_media")]


def app_public_urls() -> list:
    """Each installed app's public URLs outside the page tree (``<app>/public_urls.py``, e.g. the
    procedures' search), found like its beat schedules: the core names no app."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.public_urls"
        try:
            import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.append(path("", include(name)))
    return found


# The apps' public URLs, then the pages (Wagtail's catch-all comes last).
urlpatterns += app_public_urls()
urlpatterns += [path("", include(wagtail_urls))]
