"""URL map of the whole site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from qms import admin_pages, views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Wagtail's site history lists log entries of every agency: administrators only.
    path(
        "admin/reports/site-history/",
        admin_pages.site_history,
        name="qms_site_history",
    ),
    path(
        "admin/reports/site-history/results/",
        admin_pages.site_history_results,
        name="qms_site_history_results",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", views.healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
