"""Admin wiring of audit checklists: the URLs of ``audits.views_checklists`` under the namespace
``audit_checklists`` (reached from the audit's inspect page by its "Phiếu đánh giá" button,
``checklist_button``; no menu item of their own)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from audits import views_checklists as views
from audits.selectors_checklists import may_read_checklist

urlpatterns = [
    path("audits/<int:audit_id>/checklist/", views.checklist, name="list"),
    path(
        "audits/<int:audit_id>/checklist/generate/",
        views.checklist_generate_view,
        name="generate",
    ),
    path("audits/<int:audit_id>/checklist/add/", views.checklist_item_add_view, name="add"),
    path("audits/<int:audit_id>/checklist/tablet/", views.checklist_tablet, name="tablet"),
    path(
        "audits/<int:audit_id>/checklist/history/",
        views.checklist_history_view,
        name="history",
    ),
    path("audits/checklist/<int:item_id>/edit/", views.checklist_item_edit_view, name="edit"),
    path("audits/checklist/<int:item_id>/move/", views.checklist_item_move_view, name="move"),
    path("audits/checklist/<int:item_id>/delete/", views.checklist_item_delete_view, name="delete"),
    path("audits/checklist/<int:item_id>/autosave/", views.checklist_autosave, name="autosave"),
    path(
        "audits/checklist/evidence/<int:evidence_id>/",
        views.checklist_evidence,
        name="evidence",
    ),
]


@hooks.register("register_admin_urls")
def register_checklist_urls():
    return [path("", include((urlpatterns, "audit_checklists"), namespace="audit_checklists"))]


def checklist_button(user, audit, *, priority=30) -> list[Button]:
    """The "Phiếu đánh giá" button of an audit's page, for whoever may read its checklist."""
    if not may_read_checklist(user, audit):
        return []
    return [
        Button(
            _("Phiếu đánh giá"),
            url=reverse("audit_checklists:list", args=[audit.pk]),
            icon_name="list-ul",
            priority=priority,
        )
    ]
