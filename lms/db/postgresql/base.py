"""Django's PostgreSQL backend, with the health check of persistent connections (CONN_HEALTH_CHECKS)
made only when it can find something.

With CONN_MAX_AGE > 0 (production), Django checks a reused connection with a `SELECT 1` at the
start of every request that touches the database: a round trip per request, a fifth of the time of
a small authenticated read in bench/ (the flame graphs there). A connection that finished a request
without errors less than DB_HEALTH_CHECK_IDLE_SECONDS ago is trusted instead: a server that went
away in that window fails one query, and Django closes the connection at the end of that request
(errors_occurred), so the thread's next request reconnects. An idle connection (a database restart
during a quiet spell, a proxy that dropped it) is still checked before its first use."""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    _healthy_at: float | None = None

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._healthy_at is not None
            and time.monotonic() - self._healthy_at < settings.DB_HEALTH_CHECK_IDLE_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        """At the start and the end of each request: a connection still open and without errors
        afterwards was healthy just now."""
        super().close_if_unusable_or_obsolete()
        healthy = self.connection is not None and not self.errors_occurred
        self._healthy_at = time.monotonic() if healthy else None

    def close(self):
        self._healthy_at = None
        super().close()
