"""The admin site's forms that check a password (its login and "change my password"), under the
same sign-in limits as the API (accounts.signin_limits): the same counters per account and per
client address, so a lock reached through one is a lock on all. While locked, the form is refused
before any password is checked: no hashing for an attacker to make the server do."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.forms import AdminPasswordChangeForm as DjangoAdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from lms.api.throttling import client_address

from . import services
from .signin_limits import SignInLocked


class SignInLockedFormMixin:
    """`signin_locked` holds the SignInLocked that refused the form, if one did (the admin site
    answers 429 with Retry-After then)."""

    signin_locked: SignInLocked | None = None

    def _address(self) -> str | None:
        return client_address(self.request) if self.request is not None else None

    def _check_limits(self, email: str) -> None:
        try:
            services.signin_check(email=email, address=self._address())
        except SignInLocked as exc:
            self.signin_locked = exc
            raise ValidationError(exc.message, code=exc.code) from exc


class AdminLoginForm(SignInLockedFormMixin, AdminAuthenticationForm):
    """The admin's login. A wrong password, an unknown e-mail, and the right password of an account
    that may not use the admin (not staff, inactive) all count as failures and get the same message,
    so the admin is no oracle for passwords of non-staff accounts either."""

    @sensitive_variables("password")
    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is None or not password:
            return self.cleaned_data
        self._check_limits(email)
        user = authenticate(self.request, username=email, password=password)
        if user is None or not user.is_active or not user.is_staff:
            services.signin_failure_record(email=email, address=self._address())
            raise self.get_invalid_login_error()
        services.signin_success_record(email=email)
        self.user_cache = user
        return self.cleaned_data


class AdminPasswordChangeForm(SignInLockedFormMixin, DjangoAdminPasswordChangeForm):
    """The admin's "change my password": the old password is checked under the sign-in limits, and
    the new one is set by user_set_password (which signs the user out of the API everywhere)."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @sensitive_variables("old_password")
    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        self._check_limits(self.user.email)
        if not self.user.check_password(old_password):
            services.signin_failure_record(email=self.user.email, address=self._address())
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        services.signin_success_record(email=self.user.email)
        return old_password

    def save(self, commit=True):
        return services.user_set_password(user=self.user, password=self.cleaned_data["new_password1"])
