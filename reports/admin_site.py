"""The admin site's index page is the staff dashboard: headline figures and 90-day charts of
signups, enrollments and revenue, drawn server-side as SVG (no JavaScript, no build step)."""

import datetime

from django.conf import settings
from django.contrib import admin
from django.utils import timezone

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


class LMSAdminSite(admin.AdminSite):
    site_header = "LMS administration"
    site_title = "LMS admin"
    index_title = "Staff dashboard"
    index_template = "admin/lms_index.html"

    def index(self, request, extra_context=None):
        today = timezone.now().date()
        start = today - datetime.timedelta(days=CHART_DAYS - 1)
        currency = getattr(settings, "DEFAULT_CURRENCY", "USD")
        series = {
            "Signups": report_series(name="signups", start=start, end=today, interval="day"),
            "Enrollments": report_series(name="enrollments", start=start, end=today, interval="day"),
            f"Revenue ({currency})": report_series(
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
