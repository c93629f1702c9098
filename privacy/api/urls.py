from django.urls import path

from . import views

urlpatterns = [
    path("me/data-exports/", views.MyDataExportsView.as_view(), name="my-data-exports"),
    path("me/erasure/", views.MyErasureView.as_view(), name="my-erasure"),
    path("admin/erasures/", views.AdminErasuresView.as_view(), name="admin-erasures"),
    path("admin/users/<int:user_id>/erase/", views.AdminUserEraseView.as_view(), name="admin-user-erase"),
]
