from django.urls import path

from . import views

urlpatterns = [
    path(
        "me/certificates/",
        views.MyCertificateViewSet.as_view({"get": "list", "post": "create"}),
        name="my-certificates",
    ),
    path(
        "certificates/<int:pk>/download/",
        views.CertificateViewSet.as_view({"get": "download"}),
        name="certificate-download",
    ),
    path("certificates/verify/<str:code>/", views.VerifyView.as_view(), name="certificate-verify"),
]
