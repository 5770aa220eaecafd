"""Filters the apps' admin lists share (django-filter, as Wagtail's filter sets use)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from qms import permissions
from qms.models import Agency
from qms.models.agencies import subtree_q


class AgencySubtreeFilter(django_filters.ModelChoiceFilter):
    """An agency and the units inside it: the rows whose agency path (``path_lookup``) lies in its
    subtree. It offers the agencies the person may ``action`` for ``resource`` (the policy's
    scope), so a list never names an agency the person cannot see."""

    def __init__(self, *, resource: str, path_lookup: str = "agency__path", **kwargs):
        action = kwargs.pop("action", permissions.VIEW)
        kwargs.setdefault("label", _("Cơ quan, đơn vị (cả đơn vị trực thuộc)"))
        self.path_lookup = path_lookup

        def offered(request):
            if request is None:
                return Agency.objects.none()
            return permissions.assignable_agencies(request.user, resource, action)

        super().__init__(queryset=offered, **kwargs)

    def filter(self, qs, value):
        return qs.filter(subtree_q([value.path], self.path_lookup)) if value else qs
