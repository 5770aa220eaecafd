"""The site's home page: the public entrance (procedures in force and published statistics)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    intro = RichTextField(_("giới thiệu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("trang chủ")

    def get_context(self, request, *args, **kwargs):
        from qms.selectors import public_agency_tree  # selectors import the models

        context = super().get_context(request, *args, **kwargs)
        context["agencies"] = public_agency_tree(request=request)
        return context
