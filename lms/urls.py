from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from lms import docs, health

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("courses.api.urls")),
    path("", include("quizzes.api.urls")),
    path("", include("forum.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("certificates.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("activity.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("media.api.urls")),
    path("", include("assignments.api.urls")),
    path("", include("gradebook.api.urls")),
    path("", include("schedules.api.urls")),
    path("", include("privacy.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("sso.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", docs.SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script from a URL, so the page needs no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/redoc.standalone.js", docs.redoc_bundle, name="redoc-bundle"),
    path("", include("media.urls")),
    path("health/", health.health, name="health"),
    path("ready/", health.ready, name="ready"),
]

handler400 = "lms.api.exceptions.json_bad_request"
handler403 = "lms.api.exceptions.json_permission_denied"
handler404 = "lms.api.exceptions.json_page_not_found"
handler500 = "lms.api.exceptions.json_server_error"
