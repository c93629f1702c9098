"""The admin site's index page is the staff dashboard: headline figures and 90-day charts of
signups, enrollments and revenue, drawn server-side as SVG (no JavaScript, no build step)."""

import datetime

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .selectors import dashboard_for_admin, report_series

CHART_DAYS = 90


def bar_chart(points: list[dict], *, width: int = 720, height: int = 140) -> dict:
    """Bars scaled to the largest value, ready for the template."""
    values = [float(p["value"]) for p in points]
    peak = max(values, default=0) or 1
    step = width / max(len(points), 1)
    bars = [
        {
            "x": round(i * step, 1),
            "width": round(max(step - 1, 1), 1),
            "height": round(height * value / peak, 1),
            "y": round(height - height * value / peak, 1),
            "label": f"{p['period'].isoformat()}: {p['value']}",
        }
        for i, (p, value) in enumerate(zip(points, values, strict=True))
    ]
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "peak": max(values, default=0),
        "total": sum(values),
        "first": points[0]["period"] if points else None,
        "last": points[-1]["period"] if points else None,
    }


def _answer_signin_locked(response):
    """The form again, as a 429 with Retry-After, when the sign-in limits refused it (as the API)."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    locked = getattr(form, "signin_locked", None)
    if locked is not None:
        response.status_code = 429
        response["Retry-After"] = str(locked.retry_after)
    return response


class LMSAdminSite(admin.AdminSite):
    site_header = _("LMS administration")
    site_title = _("LMS admin")
    index_title = _("Staff dashboard")
    index_template = "admin/lms_index.html"

    # The forms that check a password are under the API's sign-in limits (accounts.admin_forms). They
    # are imported in the views: this module is loaded before the apps' models are.
    def login(self, request, extra_context=None):
        from accounts.admin_forms import AdminLoginForm

        self.login_form = AdminLoginForm
        return _answer_signin_locked(super().login(request, extra_context))

    def password_change(self, request, extra_context=None):
        """Django's own page, with the old password checked under the sign-in limits."""
        from django.contrib.auth.views import PasswordChangeView

        from accounts.admin_forms import AdminPasswordChangeForm

        class LimitedPasswordChangeView(PasswordChangeView):
            def get_form_kwargs(self):
                return {**super().get_form_kwargs(), "request": self.request}

        defaults = {
            "form_class": AdminPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return _answer_signin_locked(LimitedPasswordChangeView.as_view(**defaults)(request))

    def index(self, request, extra_context=None):
        today = timezone.now().date()
        start = today - datetime.timedelta(days=CHART_DAYS - 1)
        currency = getattr(settings, "DEFAULT_CURRENCY", "USD")
        series = {
            gettext("Signups"): report_series(name="signups", start=start, end=today, interval="day"),
            gettext("Enrollments"): report_series(name="enrollments", start=start, end=today, interval="day"),
            gettext("Revenue ({currency})").format(currency=currency): report_series(
                name="revenue", start=start, end=today, interval="day", currency=currency
            ),
        }
        context = {
            "dashboard": dashboard_for_admin(),
            "charts": [{"title": title, **bar_chart(points)} for title, points in series.items()],
            "chart_days": CHART_DAYS,
            **(extra_context or {}),
        }
        return super().index(request, context)
