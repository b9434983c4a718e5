from django.contrib import admin
from django.urls import include, path

from gonghui.api.main import api
from gonghui.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("gonghui.console.urls")),
    path("ops/admin/", admin.site.urls),
    path("", include("gonghui.portal.urls")),
]
