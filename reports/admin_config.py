from django.contrib.admin.apps import AdminConfig


class LMSAdminConfig(AdminConfig):
    """The Django admin, with the staff dashboard (figures and charts) as its index page."""

    default_site = "reports.admin_site.LMSAdminSite"
