from django.urls import include, path

from . import views

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("test/login/", views.test_login),
    path("test/expire-codes/", views.expire_codes),
    path("broken/.well-known/openid-configuration", views.broken),
]
