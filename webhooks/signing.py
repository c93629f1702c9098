"""The body and the signature of a delivery (README "Webhooks", "Verifying the signature").

    LMS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>[,v1=<with the previous secret>]

The body is the event's JSON exactly as sent (UTF-8, no spaces), the same bytes on every retry and
redelivery of the event, so its signature only changes with the time `t`."""

import hashlib
import hmac
import json
import secrets

from .payloads import iso

SECRET_PREFIX = "whsec_"
EVENT_PREFIX = "evt_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_event_id() -> str:
    return EVENT_PREFIX + secrets.token_hex(12)


def body(event) -> bytes:
    """`{id, type, created_at, data}` of an Event row, as sent."""
    document = {"id": event.public_id, "type": event.type, "created_at": iso(event.created_at), "data": event.data}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=False).encode()


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def header(secrets_: list[str], timestamp: int, payload: bytes) -> str:
    """The LMS-Signature header: one v1 per secret that signs (the current one first)."""
    return ",".join([f"t={timestamp}", *(f"v1={signature(s, timestamp, payload)}" for s in secrets_)])
