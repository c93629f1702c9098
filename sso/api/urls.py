from django.urls import path

from . import views

urlpatterns = [
    path("auth/oidc/providers/", views.ProvidersView.as_view(), name="sso-providers"),
    path("auth/oidc/exchange/", views.ExchangeView.as_view(), name="sso-exchange"),
    path("auth/oidc/<str:provider>/start/", views.StartView.as_view(), name="sso-start"),
    path("auth/oidc/<str:provider>/callback/", views.CallbackView.as_view(), name="sso-callback"),
]
