from django.urls import path

from . import views

urlpatterns = [
    path("uploads/", views.UploadViewSet.as_view({"post": "create"}), name="upload-list"),
    path(
        "uploads/<uuid:pk>/",
        views.UploadViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="upload-detail",
    ),
    path("uploads/<uuid:pk>/content/", views.UploadViewSet.as_view({"put": "content"}), name="upload-content"),
    path("uploads/<uuid:pk>/complete/", views.UploadViewSet.as_view({"post": "complete"}), name="upload-complete"),
]
