"""CSV cells a spreadsheet will not run. A cell that starts like a formula (`=`, `+`, `-`, `@`, a
tab or a carriage return) gets a leading apostrophe, OWASP's advice against CSV injection: names,
titles and error messages in exports may hold whatever someone typed."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
