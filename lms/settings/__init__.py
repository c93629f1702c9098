"""`DJANGO_SETTINGS_MODULE=lms.settings` (the default) is the local development configuration."""

from .local import *  # noqa: F403
