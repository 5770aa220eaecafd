"""Wagtail's own lists narrowed to what the person may see (DESIGN.md §6, leak-proof lists).

Wagtail answers some questions site-wide: the ten most used tags of all documents or images, tag
autocomplete over every tag, the page chooser over every page, the admin API over every document
and image, the workflow reports' "requested by" people and snippet states, and the page-types
report's last edited page of any agency. Each is replaced here by a subclass that asks the same
rights as the rest of the admin (Wagtail's collection and page permissions, which
``qms.services.rights`` materialises from memberships, and ``qms.permissions``). They are wired in
``qms/urls.py`` (views shadowing Wagtail's own paths) and ``qms/wagtail_hooks.py`` (hooks).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from taggit.models import Tag
from wagtail.admin.auth import permission_denied
from wagtail.admin.filters import PopularTagsFilter
from wagtail.admin.views.reports import workflows
from wagtail.admin.views.tags import TAGS_AUTOCOMPLETE_LIMIT
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.views import documents as document_views
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.images.views import chooser as image_chooser
from wagtail.images.views import images as image_views
from wagtail.models import Page, WorkflowState
from wagtail.permissions import policy_registry

from qms import permissions, providers

MEDIA_ACTIONS = ["add", "change", "choose"]


def media_in_scope(user, model):
    """Documents or images in the collections where the user may add, change or choose."""
    policy = policy_registry.get_by_type(model)
    return policy.instances_user_has_any_permission_for(user, MEDIA_ACTIONS)


def tags_in_scope(user, models):
    """Tags used on the documents/images the user may see, most used first."""
    query = Q(pk__in=[])
    for model in models:
        query |= Q(
            taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(model),
            taggit_taggeditem_items__object_id__in=media_in_scope(user, model).values("pk"),
        )
    return Tag.objects.filter(query).annotate(item_count=Count("taggit_taggeditem_items"))


def _scoped_tag_filter(filterset, model):
    tags = list(tags_in_scope(filterset.request.user, [model]).order_by("-item_count")[:10])
    if not tags:
        filterset.filters.pop("tag", None)
        return
    old = filterset.filters.get("tag")
    filterset.filters["tag"] = PopularTagsFilter(
        label=old.label if old else "Tag",
        field_name="tags__name",
        choices=[(tag.name, tag.name) for tag in tags],
        widget=old.extra.get("widget") if old else None,
        use_subquery=getattr(old, "use_subquery", False),
        help_text=old.extra.get("help_text", "") if old else "",
    )


class ScopedDocumentsFilterSet(document_views.DocumentsFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped_tag_filter(self, get_document_model())


class ScopedImagesFilterSet(image_views.ImagesFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _scoped_tag_filter(self, get_image_model())


class DocumentIndexView(document_views.IndexView):
    filterset_class = ScopedDocumentsFilterSet


class ImageIndexView(image_views.IndexView):
    filterset_class = ScopedImagesFilterSet


class ImageChooseView(image_chooser.ImageChooseView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["popular_tags"] = tags_in_scope(self.request.user, [self.model]).order_by(
            "-item_count"
        )[:10]
        return context


def tag_autocomplete(request, app_name=None, model_name=None):
    """Wagtail's tag autocomplete over the tags of files the person may see (not every tag)."""
    if app_name or model_name:
        # Custom tag models are not used by qms.
        raise Http404
    term = request.GET.get("term", "")
    names = []
    if term:
        names = list(
            tags_in_scope(request.user, [get_document_model(), get_image_model()])
            .filter(name__istartswith=term)
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()[:TAGS_AUTOCOMPLETE_LIMIT]
        )
    return JsonResponse(names, safe=False)


class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(pk__in=media_in_scope(self.request.user, self.model).values("pk"))
        )


class ScopedImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(pk__in=media_in_scope(self.request.user, self.model).values("pk"))
        )


def _editable_pages_q(request, prefix=""):
    return Q(
        **{
            f"{prefix}base_content_type_id": ContentType.objects.get_for_model(Page).id,
            f"{prefix}object_id__in": workflows.get_editable_page_ids_query(request),
        }
    )


class ScopedWorkflowReportFilterSet(workflows.WorkflowReportFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the people who asked for a review of pages this person may edit.
        requesters = WorkflowState.objects.filter(_editable_pages_q(self.request)).values(
            "requested_by"
        )
        field = self.filters["requested_by"]
        field.queryset = field.queryset(self.request).filter(pk__in=requesters)


class WorkflowView(workflows.WorkflowView):
    """The workflow report over the pages the person may edit (not every model's states)."""

    filterset_class = ScopedWorkflowReportFilterSet

    def get_queryset(self):
        if permissions.is_admin(self.request.user):
            return super().get_queryset()
        return super().get_queryset().filter(_editable_pages_q(self.request))


class WorkflowTasksView(workflows.WorkflowTasksView):
    def get_queryset(self):
        if permissions.is_admin(self.request.user):
            return super().get_queryset()
        return super().get_queryset().filter(_editable_pages_q(self.request, "workflow_state__"))


def page_chooser_scope(pages, user):
    """Pages a non-administrator may pick: their agencies' pages with everything below them
    (drafts included), and the pages above them to browse down from; never another agency's."""
    if permissions.is_admin(user):
        return pages
    query = Q(pk__in=[])
    for membership in permissions.active_memberships(user):
        page = providers.ask_first(providers.AGENCY_PAGE, membership.agency)
        if page is None:
            continue
        query |= Q(path__startswith=page.path)
        query |= Q(pk__in=[p.pk for p in page.get_ancestors()])
    return pages.filter(query)


def _page_editable_or_denied(request, page_id):
    page = get_object_or_404(Page, id=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return page


def _edit_required(view):
    """Wagtail's page views that check no right before showing a page's workflow state or draft:
    only people who may edit the page reach them."""

    def checked(request, page_id, **kwargs):
        _page_editable_or_denied(request, page_id)
        return view(request, page_id=page_id, **kwargs)

    return checked


# "Publishing cancels the workflow" names the workflow and task of any page; the task preview
# renders any page's draft.
confirm_workflow_cancellation = _edit_required(
    page_viewset_registry.as_view("confirm_workflow_cancellation", page_id_kwarg="page_id")
)
workflow_preview = _edit_required(
    page_viewset_registry.as_view("workflow_preview", page_id_kwarg="page_id")
)


def before_move_page(request, page, destination):
    """Wagtail's move confirmation shows the page's (draft) title before checking any right."""
    if not page.permissions_for_user(request.user).can_move_to(destination):
        return permission_denied(request)
    return None
