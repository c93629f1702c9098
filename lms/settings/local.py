"""Local development: the embedded defaults (SQLite, inline jobs, console e-mail) unless the
environment says otherwise."""

from .base import *  # noqa: F403

# Serve the admin's and Swagger's static files from the apps without collectstatic.
WHITENOISE_USE_FINDERS = True
