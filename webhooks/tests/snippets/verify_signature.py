import hashlib
import hmac
import time


def verify(payload: bytes, header: str, secret: str, tolerance: int = 300) -> bool:
    """True when `header` (the LMS-Signature header) signs `payload` (the raw request body, as bytes)
    with `secret` (whsec_...), made at most `tolerance` seconds ago."""
    timestamp, signatures = "", []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1":
            signatures.append(value)
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        return False  # no time, or too old: a replay
    signed = timestamp.encode() + b"." + payload
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)
