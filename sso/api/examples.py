"""Example bodies for the schema (single sign-on)."""

from accounts.api.examples import STUDENT_SIGNED_IN

PROVIDER = {"name": "google", "label": "Google Workspace"}  # the schema shows it as the list's item
EXCHANGE = {"code": "bT2vQm8xK3dZr7YwLp0sFh5NcJ1uGe9aVi4oXy6tWq"}
SIGNED_IN = STUDENT_SIGNED_IN
CODE_ERRORS = {
    "Unknown code": {
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
}
INACTIVE = {"detail": "This account is deactivated.", "code": "account_inactive"}
UNKNOWN_PROVIDER = {"detail": "No sign-in provider has this name.", "code": "unknown_provider"}
