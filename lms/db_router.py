"""Read replica routing (on when DATABASE_REPLICA_URL is set).

Reads go to the replica only inside a safe request (GET, HEAD, OPTIONS) that has not written
anything and is not inside a transaction; everything else (writes, unsafe requests, background jobs,
management commands) uses the primary. So a client never reads older data than it has just
written in the same request, and a job never acts on replica lag. The replica may lag the primary by
a moment across requests, as with any asynchronous replica."""

from django.db import connections

from lms import request_context

PRIMARY = "default"
REPLICA = "replica"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not request_context.current().read_only:
            return PRIMARY
        primary = connections[PRIMARY]
        # In a transaction (select_for_update, atomic blocks) reads must see the transaction's data.
        if primary.in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The same data on both: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Migrations run on the primary; the replica receives them through replication.
        return db == PRIMARY
