"""Django's Redis cache backend, with one Redis client object per connection pool instead of a
new one per operation (building a redis-py client costs more than the round trip it makes), and
bounded timeouts.

The cache is an optimisation: code that uses it for speed (the catalog cache, the throttles) fails
OPEN, catching CACHE_ERRORS and carrying on without it, so a Redis outage never becomes a 500.
`cache_unavailable` logs such a failure, at most once a minute per place."""

import logging
import secrets
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("lms.cache")

# What a cache operation raises when Redis is down, slow or unreachable (redis-py wraps most socket
# errors in RedisError; OSError covers the rest).
CACHE_ERRORS = (RedisError, OSError)

# Without timeouts, a Redis host that stops answering (rather than refusing connections) would hang
# each request for minutes. A cache operation that takes a second has failed anyway.
DEFAULT_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}

LOG_EVERY_SECONDS = 60
_last_logged: dict[str, float] = {}


def new_version() -> str:
    """A version token for versioned cache entries (the catalog's, a user's row): the time of the
    change (its float prefix gives Last-Modified) and random bits, so two changes never share one."""
    return f"{time.time():.6f}-{secrets.token_hex(4)}"


def cache_unavailable(where: str, exc: BaseException) -> None:
    """Logs that `where` went on without the cache, once a minute at most (an outage would otherwise
    log once per request)."""
    now = time.monotonic()
    if now - _last_logged.get(where, -LOG_EVERY_SECONDS) >= LOG_EVERY_SECONDS:
        _last_logged[where] = now
        logger.warning("Cache unavailable, %s goes on without it: %s: %s", where, exc.__class__.__name__, exc)


class ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:  # redis-py clients are thread-safe: they share the pool's connections
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._options = {**DEFAULT_OPTIONS, **self._options}

    def raw_client(self):
        """The redis-py client (shared, thread-safe) for a pipeline of our own."""
        return self._cache.get_client(write=True)

    def decode(self, data):
        """A stored value as cache.get would return it (ints raw, anything else pickled)."""
        return None if data is None else self._cache._serializer.loads(data)
