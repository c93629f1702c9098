"""Example bodies for the schema (single sign-on)."""

from accounts.api.examples import STUDENT_SIGNED_IN

PROVIDER = {"name": "google", "label": "Google Workspace"}  # the schema shows it as the list's item
# RFC 7636's appendix B: this verifier's S256 challenge is E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
CODE_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CODE_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
EXCHANGE = {"code": "bT2vQm8xK3dZr7YwLp0sFh5NcJ1uGe9aVi4oXy6tWq", "code_verifier": CODE_VERIFIER}
SIGNED_IN = STUDENT_SIGNED_IN
CODE_ERRORS = {
    "Unknown code": {
        "detail": "This sign-in code is not valid. Please sign in again.",
        "code": "code_invalid",
        "field": "code",
    },
    "Code of a sign-in started with another challenge": {
        "detail": "This sign-in code is not valid. Please sign in again.",
        "code": "code_invalid",
        "field": "code",
    },
    "Used code": {
        "detail": "This sign-in code was already used. Please sign in again.",
        "code": "code_used",
        "field": "code",
    },
    "Expired code": {
        "detail": "This sign-in code has expired. Please sign in again.",
        "code": "code_expired",
        "field": "code",
    },
    "Missing code": {"code": ["This field is required."]},
    "Missing verifier": {"code_verifier": ["This field is required."]},
}
INACTIVE = {"detail": "This account is deactivated.", "code": "account_inactive"}
CHALLENGE_INVALID = {
    "detail": "code_challenge must be the BASE64URL (without padding) SHA-256 of a code_verifier of 43 to 128 "
    "characters (A-Z, a-z, 0-9, '-', '.', '_', '~') that the app keeps for the exchange.",
    "code": "code_challenge_invalid",
    "field": "code_challenge",
}
UNKNOWN_PROVIDER = {"detail": "No sign-in provider has this name.", "code": "unknown_provider"}
