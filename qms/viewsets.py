"""Wagtail admin views scoped by the agency permission policy, for every app's viewsets.

``AgencyScopedViewSet`` swaps each generic view (index, add, edit, delete, inspect, history,
usage, export via index) for one that filters querysets and checks objects through
``qms.permissions``; an object outside the user's scope is a 404, an allowed-to-see object the user
may not change is refused (Wagtail turns the PermissionDenied into a redirect with a message).
Search folds Vietnamese accents (``qms.text.fold``).

State changes are **transitions**: a viewset lists ``Transition``s, each calling a service; the
allowed ones are offered per object (list row menu and the object's header), a state field is
never in a form, and a refusal by the service comes back as a message.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic.edit import FormView
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from qms import permissions
from qms.display import DisplayIndexMixin, DisplayInspectMixin
from qms.exports import SafeExportMixin
from qms.text import fold


def _policy(view) -> permissions.AgencyPermissionPolicy:
    return view.permission_policy


class ScopedIndexMixin:
    folded_search_fields: list[str] = []

    # Wagtail asks the model-level rights once per row (the edit, inspect and delete links); for
    # a person who holds a right only by relation (an action's owner, an audit's team) each answer
    # reads the database. They do not change within the request: each is asked once.
    def user_has_permission(self, permission):
        cache = self.__dict__.setdefault("_rights", {})
        if permission not in cache:
            cache[permission] = super().user_has_permission(permission)
        return cache[permission]

    def user_has_any_permission(self, permissions):
        return any(self.user_has_permission(p) for p in permissions)

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
    # Other choice fields narrowed per user: {field name: function(user) -> queryset}, and plain
    # choice fields narrowed to {field name: function(user) -> allowed values}.
    field_scopes: dict = {}
    field_choices: dict = {}

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get(self.agency_field)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = permissions.assignable_agencies(
                self.request.user, _policy(self).resource, self.form_action
            )
            if not form.is_bound and form.initial.get(self.agency_field) is None:
                form.initial[self.agency_field] = self._own_agency(field.queryset)
        for name, scope in self.field_scopes.items():
            if name in form.fields:
                form.fields[name].queryset = scope(self.request.user)
        for name, allowed in self.field_choices.items():
            if name in form.fields:
                values = set(allowed(self.request.user))
                field = form.fields[name]
                field.choices = [(v, label) for v, label in field.choices if v in values or not v]
        return form

    def _own_agency(self, choices):
        """A new record's agency chosen in advance: the only one offered, or else the one agency
        where the person holds their role(s) among those offered (an officer of a department is
        offered its units too, but records for the department)."""
        if self.form_action != permissions.ADD:
            return None
        offered = list(choices.values_list("pk", flat=True)[:2])
        if len(offered) == 1:
            return offered[0]
        own = {m.agency_id for m in permissions.active_memberships(self.request.user)}
        own &= set(choices.filter(pk__in=own).values_list("pk", flat=True))
        return own.pop() if len(own) == 1 else None


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

    def form_valid(self, form):
        """A refusal of the save service is shown on the form (field by field where it names
        fields), never a server error; nothing is written."""
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
        # Wagtail reads these when it shows the form again (set by its own post() otherwise).
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


@dataclass(frozen=True)
class Transition:
    """One state change an admin user may ask for on an object.

    ``service(actor=, instance=, **form.cleaned_data)`` does the work and refuses with a
    ValidationError or PermissionDenied whose message the person reads; ``action`` is the policy
    action the object must allow; ``available(instance)`` says whether the object's state admits it
    (the button is shown only then); ``form_class`` asks for what the service needs (a date, a
    reason), and no form means a plain confirmation.
    """

    name: str
    label: str
    service: Callable
    action: str = permissions.CHANGE
    available: Callable = staticmethod(lambda instance: True)
    # A finer check than the policy action, to hide what the service would refuse anyway (e.g.
    # the grant rule for memberships): (user, instance) -> the reason it is refused, or None.
    refusal: Callable | None = None
    form_class: type[forms.Form] | None = None
    confirmation: str = ""
    icon: str = "arrow-right"
    serious: bool = False
    # The view records the transition in Wagtail's log, unless the service logs it itself.
    log: bool = True

    def log_action(self, model) -> str:
        return f"qms.{model._meta.model_name}.{self.name}"

    def allowed_for(self, user, policy, instance) -> bool:
        return (
            self.available(instance)
            and policy.user_has_permission_for_instance(user, self.action, instance)
            and (self.refusal is None or self.refusal(user, instance) is None)
        )


# Every transition of every viewset, for the log-action registry (qms/wagtail_hooks.py).
TRANSITIONS: dict[str, str] = {}


class TransitionButtonsMixin:
    """The object's allowed transitions as buttons (list row menu, object header)."""

    transitions: tuple[Transition, ...] = ()
    transition_url_name: str | None = None

    def transition_buttons(self, instance, *, priority=40):
        if not self.transition_url_name:
            return []
        user, policy = self.request.user, _policy(self)
        return [
            Button(
                t.label,
                url=reverse(self.transition_url_name, args=[instance.pk, t.name]),
                icon_name=t.icon,
                priority=priority + i,
            )
            for i, t in enumerate(self.transitions)
            if t.allowed_for(user, policy, instance)
        ]


class ChangeRefusalMixin:
    """A finer check than the policy's "change" on one object (``AgencyScopedViewSet.
    change_refusal(user, instance) -> reason or None``): the edit link is not offered, and the
    edit form is refused with the reason, for an object the person may see but not change (the
    membership of a leader, for an officer)."""

    change_refusal = None

    def refusal_for(self, instance) -> str | None:
        if self.change_refusal is None:
            return None
        return self.change_refusal(self.request.user, instance)


class ScopedIndexView(
    ChangeRefusalMixin,
    SafeExportMixin,
    DisplayIndexMixin,
    TransitionButtonsMixin,
    ScopedIndexMixin,
    generic.IndexView,
):
    def get_edit_url(self, instance):
        url = super().get_edit_url(instance)
        return None if url and self.refusal_for(instance) else url

    def get_list_more_buttons(self, instance):
        return super().get_list_more_buttons(instance) + self.transition_buttons(instance)


class TransitionView(
    ScopedObjectMixin,
    generic.base.BaseObjectMixin,
    generic.base.WagtailAdminTemplateMixin,
    FormView,
):
    """Confirm (and fill the transition's form), then call its service; refusals are messages."""

    template_name = "qms/transition.html"
    permission_policy = None
    transitions: tuple[Transition, ...] = ()
    index_url_name = None
    inspect_url_name = None
    edit_url_name = None
    header_icon = ""

    def setup(self, request, *args, **kwargs):
        by_name = {t.name: t for t in self.transitions}
        if kwargs.get("transition") not in by_name:
            raise Http404
        self.transition = by_name[kwargs["transition"]]
        self.object_actions = (self.transition.action,)
        super().setup(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        reason = self.transition.refusal and self.transition.refusal(request.user, self.object)
        if reason:
            messages.error(request, reason)
            return redirect(self.get_back_url())
        if not self.transition.available(self.object):
            messages.error(
                request,
                _("Không thể “%(action)s” “%(object)s” ở trạng thái hiện tại.")
                % {"action": self.transition.label, "object": self.object},
            )
            return redirect(self.get_back_url())
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.transition.label

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        items = [
            {"url": reverse(self.index_url_name), "label": self.model._meta.verbose_name_plural}
        ]
        if self.inspect_url_name:
            items.append(
                {
                    "url": reverse(self.inspect_url_name, args=[self.object.pk]),
                    "label": str(self.object),
                }
            )
        items.append({"url": "", "label": self.get_page_title(), "sublabel": str(self.object)})
        return self.breadcrumbs_items + items

    def get_back_url(self):
        next_url = get_valid_next_url_from_request(self.request)
        if next_url:
            return next_url
        for name in (self.inspect_url_name, self.edit_url_name):
            if name:
                return reverse(name, args=[self.object.pk])
        return reverse(self.index_url_name)

    def get_form_class(self):
        return self.transition.form_class or forms.Form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            transition=self.transition,
            back_url=self.get_back_url(),
            action_url=self.request.get_full_path(),
        )
        return context

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.transition.service(
                    actor=self.request.user, instance=self.object, **form.cleaned_data
                )
                if self.transition.log:
                    log(
                        instance=self.object,
                        action=self.transition.log_action(self.model),
                        user=self.request.user,
                    )
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(self.request, text)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Đã thực hiện “%(action)s”: %(object)s.")
            % {"action": self.transition.label, "object": self.object},
        )
        return redirect(self.get_back_url())


class ScopedCreateView(ServiceSaveMixin, AgencyFieldMixin, generic.CreateView):
    pass


class ScopedEditView(
    ChangeRefusalMixin,
    TransitionButtonsMixin,
    ServiceSaveMixin,
    AgencyFieldMixin,
    ScopedObjectMixin,
    generic.EditView,
):
    object_actions = (permissions.CHANGE,)
    form_action = permissions.CHANGE
    log_action = "wagtail.edit"

    def dispatch(self, request, *args, **kwargs):
        if not hasattr(self, "object"):
            self.object = self.get_object()
        reason = self.refusal_for(self.object)
        if reason:
            messages.error(request, reason)
            inspect_url = self.get_inspect_url() if self.inspect_url_name else None
            return redirect(inspect_url or reverse(self.index_url_name))
        return super().dispatch(request, *args, **kwargs)

    def get_header_more_buttons(self):
        return sorted(super().get_header_more_buttons() + self.transition_buttons(self.object))


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


class ScopedInspectView(
    ChangeRefusalMixin,
    DisplayInspectMixin,
    TransitionButtonsMixin,
    ScopedObjectMixin,
    generic.InspectView,
):
    def get_edit_url(self):
        url = super().get_edit_url()
        return None if url and self.refusal_for(self.object) else url

    def get_header_more_buttons(self):
        return sorted(super().get_header_more_buttons() + self.transition_buttons(self.object))

    def get_field_display_value(self, field_name, field):
        if field_name == "field":
            # Wagtail first looks for get_<name>_display_value(): for a model field named
            # "field" that is this very method, which it would call without arguments (a 500).
            value = getattr(self.object, "get_field_display", None)
            return value() if callable(value) else self.object.field
        return super().get_field_display_value(field_name, field)


# Whoever may read a record may read its history and where it is used (DESIGN.md §3).
READ_ACTIONS = [permissions.VIEW, permissions.ADD, permissions.CHANGE, permissions.DELETE]


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    any_permission_required = READ_ACTIONS


class ReadOnlyHistoryView(ScopedHistoryView):
    """History of a record nobody edits: without Wagtail's "Edit" header button."""

    @property
    def header_buttons(self):
        return []


class InspectURLFinder(ModelAdminURLFinder):
    """Where the admin links a read-only record (site history, usage): its inspect view, for
    whoever may read it."""

    resource = None

    def get_edit_url(self, instance):
        if self.user and not permissions.has_permission(
            self.user, self.resource, permissions.VIEW, instance
        ):
            return None
        return self.construct_edit_url(instance)


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    permission_required = None
    any_permission_required = READ_ACTIONS


class AgencyScopedViewSet(ModelViewSet):
    """A ModelViewSet whose every view asks the agency permission policy."""

    resource: str | None = None
    folded_search_fields: list[str] = []
    field_scopes: dict = {}
    field_choices: dict = {}
    save_service = None
    delete_service = None
    transitions: tuple[Transition, ...] = ()
    # (user, instance) -> why this person may not edit this object, or None (ChangeRefusalMixin)
    change_refusal = None
    # Records that change only through services and transitions (an outbox, issues): no add,
    # edit, copy or delete view, history without an edit button, admin links to the inspect view.
    read_only = False
    inspect_view_enabled = True
    copy_view_enabled = False
    transition_view_class = TransitionView

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

    def __init_subclass__(cls, **kwargs):
        # At class definition (when Wagtail imports the hooks modules), so the log-action registry
        # knows every transition however early it is first read.
        super().__init_subclass__(**kwargs)
        model = cls.__dict__.get("model") or getattr(cls, "model", None)
        for transition in cls.__dict__.get("transitions", ()):
            if model is not None:
                TRANSITIONS[transition.log_action(model)] = transition.label

    def _transition_kwargs(self):
        """What the index, inspect and edit views need to offer transitions and edits per object."""
        kwargs = {"change_refusal": self.change_refusal}
        if self.transitions:
            kwargs.update(
                transitions=tuple(self.transitions),
                transition_url_name=self.get_url_name("transition"),
            )
        return kwargs

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            folded_search_fields=self.folded_search_fields, **self._transition_kwargs(), **kwargs
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(**self._transition_kwargs(), **kwargs)

    @property
    def transition_view(self):
        return self.construct_view(
            self.transition_view_class,
            permission_policy=self.permission_policy,
            transitions=tuple(self.transitions),
            inspect_url_name=self.get_url_name("inspect") if self.inspect_view_enabled else None,
        )

    READ_ONLY_VIEWS = frozenset(
        {"index", "index_results", "inspect", "history", "history_results", "usage", "transition"}
    )

    def get_common_view_kwargs(self, **kwargs):
        if self.read_only:
            kwargs = {
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                **kwargs,
            }
        return super().get_common_view_kwargs(**kwargs)

    @property
    def url_finder_class(self):
        if not self.read_only:
            return super().url_finder_class
        return type(
            f"{self.model.__name__}URLFinder",
            (InspectURLFinder,),
            {
                "edit_url_name": self.get_url_name("inspect"),
                "resource": self.permission_policy.resource,
            },
        )

    def _history_class(self):
        if self.read_only and self.history_view_class is ScopedHistoryView:
            return ReadOnlyHistoryView
        return self.history_view_class

    @property
    def history_view(self):
        return self.construct_view(self._history_class(), **self.get_history_view_kwargs())

    @property
    def history_results_view(self):
        return self.construct_view(
            self._history_class(), **self.get_history_view_kwargs(), results_only=True
        )

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        if self.read_only:
            patterns = [p for p in patterns if p.name in self.READ_ONLY_VIEWS]
        if self.transitions:
            patterns.append(
                path(
                    f"transition/<{self.pk_path_converter}:pk>/<slug:transition>/",
                    self.transition_view,
                    name="transition",
                )
            )
        return patterns

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(
            save_service=self.save_service,
            field_scopes=self.field_scopes,
            field_choices=self.field_choices,
            **kwargs,
        )

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            save_service=self.save_service,
            field_scopes=self.field_scopes,
            field_choices=self.field_choices,
            **self._transition_kwargs(),
            **kwargs,
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
    """Chooser listings and chosen objects (one or several) limited to what the user may see."""

    def _scope(self):
        policy = permissions.policy_for(self.model_class)
        return policy.scope_q(self.request.user, [permissions.VIEW, permissions.CHANGE])

    def get_object_list(self):
        return super().get_object_list().filter(self._scope())

    def get_object(self, pk):
        return self.model_class.objects.filter(self._scope()).get(pk=pk)

    def get_objects(self, pks):
        return super().get_objects(pks).filter(self._scope())


class ScopedChooseView(ScopedChooserMixin, chooser_views.ChooseView):
    filter_form_class = FoldedSearchFilterForm


class ScopedChooseResultsView(ScopedChooserMixin, chooser_views.ChooseResultsView):
    filter_form_class = FoldedSearchFilterForm


class ScopedChosenView(ScopedChooserMixin, chooser_views.ChosenView):
    pass


class ScopedChosenMultipleView(ScopedChooserMixin, chooser_views.ChosenMultipleView):
    pass


class AgencyScopedChooserViewSet(ChooserViewSet):
    """A chooser whose listing, search and chosen lookups ask the agency permission policy."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    create_action_label = None
