"""Taking a person's identifiers out of text that is kept after their erasure (their forum posts,
reviews, report reasons, replies written to them). Imports no app: apps' erasers import it."""

import re


def identity_pattern(user) -> re.Pattern | None:
    """The person's e-mail address, full name, last name and first name, each as a whole word and
    in any case: what the erasure takes out of the text it keeps. None once the account is
    pseudonymised (nothing of theirs left to look for)."""
    if user.erased_at is not None:
        return None
    first, last = user.first_name.strip(), user.last_name.strip()
    forms = []
    if user.email:
        forms.append(rf"(?<![\w.+-]){re.escape(user.email)}(?![\w-]|\.\w)")
    if first and last:
        forms.append(rf"(?<!\w){re.escape(first)}\s+{re.escape(last)}(?!\w)")
    forms.extend(rf"(?<!\w){re.escape(name)}(?!\w)" for name in (last, first) if len(name) >= 2)
    return re.compile("|".join(forms), re.IGNORECASE) if forms else None
