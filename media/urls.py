from django.urls import path

from . import views

urlpatterns = [
    path("files/signed/<str:token>/", views.private_file, name="media-private"),
    path("files/<path:name>", views.public_file, name="media-public"),
]
