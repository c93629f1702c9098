"""`manage.py makemessages`, set up for this project: it reads the platform's own code and templates
only (not tests, migrations, benchmarks, the typed client or uploaded files), writes file names
without line numbers (so moving code does not rewrite every catalog) and drops strings the code no
longer has. The catalogs are locale/<code>/LC_MESSAGES/django.po (README "Languages")."""

from django.core.management.commands import makemessages

IGNORED = [
    "*/tests/*",
    "*/migrations/*",
    "bench/*",
    "clients/*",
    "scripts/*",
    "var/*",
    "staticfiles/*",
    "node_modules/*",
    "locale/*",
]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        if options.get("add_location") is None:
            options["add_location"] = "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
