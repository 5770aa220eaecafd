"""Wagtail admin views scoped by the agency permission policy, for every app's viewsets.

``AgencyScopedViewSet`` swaps each generic view (index, add, edit, delete, inspect, history,
usage, export via index) for one that filters querysets and checks objects through
``qms.permissions``; an object outside the user's scope is a 404, an allowed-to-see object the user
may not change is refused (Wagtail turns the PermissionDenied into a redirect with a message). Search folds Vietnamese accents (``qms.text.fold``).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from qms import permissions
from qms.text import fold


def _policy(view) -> permissions.AgencyPermissionPolicy:
    return view.permission_policy


class ScopedIndexMixin:
    folded_search_fields: list[str] = []

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        policy = _policy(self)
        return queryset.filter(
            policy.scope_q(self.request.user, [permissions.VIEW, permissions.CHANGE])
        )

    def search_queryset(self, queryset):
        if not self.is_searching or not self.folded_search_fields:
            return super().search_queryset(queryset)
        term = fold(self.search_query)
        query = Q()
        for field in self.folded_search_fields:
            query |= Q(**{f"{field}__icontains": term})
        for field in self.search_fields or []:
            query |= Q(**{f"{field}__icontains": self.search_query})
        return queryset.filter(query)


class ScopedObjectMixin:
    """Objects outside the user's scope do not exist for them; inside it the action is checked."""

    object_actions: tuple[str, ...] = (permissions.VIEW, permissions.CHANGE)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        policy, user = _policy(self), self.request.user
        if not policy.user_has_any_permission_for_instance(
            user, [permissions.VIEW, permissions.CHANGE], obj
        ):
            raise Http404
        if not policy.user_has_any_permission_for_instance(user, list(self.object_actions), obj):
            raise PermissionDenied
        return obj


class AgencyFieldMixin:
    """Forms offer only the agencies the user may act on for this resource."""

    agency_field = "agency"
    form_action = permissions.ADD
    # Other choice fields narrowed per user: {field name: function(user) -> queryset}.
    field_scopes: dict = {}

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get(self.agency_field)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = permissions.assignable_agencies(
                self.request.user, _policy(self).resource, self.form_action
            )
        for name, scope in self.field_scopes.items():
            if name in form.fields:
                form.fields[name].queryset = scope(self.request.user)
        return form


class ServiceSaveMixin:
    """Saves go through the viewset's service function (``save_service(actor=, instance=)``)."""

    save_service = None
    log_action = "wagtail.create"

    def save_instance(self):
        if self.save_service is None:
            return super().save_instance()
        instance = self.form.save(commit=False)
        instance = self.save_service(actor=self.request.user, instance=instance)
        self.form.save_m2m()
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance


class ScopedIndexView(ScopedIndexMixin, generic.IndexView):
    pass


class ScopedCreateView(ServiceSaveMixin, AgencyFieldMixin, generic.CreateView):
    pass


class ScopedEditView(ServiceSaveMixin, AgencyFieldMixin, ScopedObjectMixin, generic.EditView):
    object_actions = (permissions.CHANGE,)
    form_action = permissions.CHANGE
    log_action = "wagtail.edit"


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_actions = (permissions.DELETE,)
    delete_service = None

    def delete_action(self):
        if self.delete_service is None:
            return super().delete_action()
        # Log first, while the row still has its primary key (as Wagtail's DeleteAction does).
        with transaction.atomic():
            log(instance=self.object, action="wagtail.delete", user=self.request.user, deleted=True)
            self.delete_service(actor=self.request.user, instance=self.object)


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    pass


# Whoever may read a record may read its history and where it is used (DESIGN.md §3).
READ_ACTIONS = [permissions.VIEW, permissions.ADD, permissions.CHANGE, permissions.DELETE]


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    any_permission_required = READ_ACTIONS


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    permission_required = None
    any_permission_required = READ_ACTIONS


class AgencyScopedViewSet(ModelViewSet):
    """A ModelViewSet whose every view asks the agency permission policy."""

    resource: str | None = None
    folded_search_fields: list[str] = []
    field_scopes: dict = {}
    save_service = None
    delete_service = None
    inspect_view_enabled = True
    copy_view_enabled = False

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    @property
    def permission_policy(self):
        return permissions.policy_for(self.model, self.resource)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            folded_search_fields=self.folded_search_fields, **kwargs
        )

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(
            save_service=self.save_service, field_scopes=self.field_scopes, **kwargs
        )

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            save_service=self.save_service, field_scopes=self.field_scopes, **kwargs
        )

    def get_delete_view_kwargs(self, **kwargs):
        return super().get_delete_view_kwargs(delete_service=self.delete_service, **kwargs)


class FoldedSearchFilterForm(BaseFilterForm):
    """Chooser search that ignores Vietnamese accents (``thu tuc`` finds ``thủ tục``)."""

    q = forms.CharField(label=_("Tìm kiếm"), required=False)
    folded_fields: tuple[str, ...] = ("name_folded", "code")

    def filter(self, objects):
        objects = super().filter(objects)
        term = self.cleaned_data.get("q")
        if term:
            query = Q()
            for field in self.folded_fields:
                query |= Q(**{f"{field}__icontains": fold(term)})
            objects = objects.filter(query)
        return objects


class ScopedChooserMixin:
    """Chooser listings and chosen objects limited to what the user may see."""

    def get_object_list(self):
        policy = permissions.policy_for(self.model_class)
        return (
            super()
            .get_object_list()
            .filter(policy.scope_q(self.request.user, [permissions.VIEW, permissions.CHANGE]))
        )

    def get_object(self, pk):
        policy = permissions.policy_for(self.model_class)
        return self.model_class.objects.filter(
            policy.scope_q(self.request.user, [permissions.VIEW, permissions.CHANGE])
        ).get(pk=pk)


class ScopedChooseView(ScopedChooserMixin, chooser_views.ChooseView):
    filter_form_class = FoldedSearchFilterForm


class ScopedChooseResultsView(ScopedChooserMixin, chooser_views.ChooseResultsView):
    filter_form_class = FoldedSearchFilterForm


class ScopedChosenView(ScopedChooserMixin, chooser_views.ChosenView):
    pass


class AgencyScopedChooserViewSet(ChooserViewSet):
    """A chooser whose listing, search and chosen lookups ask the agency permission policy."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    create_action_label = None
