"""The languages a course can be taught in: ISO 639-1 codes (Course.language).

A course's `language` is one of the 183 two-letter codes of ISO 639-1 ("en", "es", "fr", "ar",
"pt", "zh", ...), never a region or script variant ("pt-BR") nor a three-letter ISO 639-2/3 code
("eng", "fil"): it names the language of the content, which is all the catalog filters on. When
it is one of the platform's own languages (settings.LANGUAGES), the course's certificates are
written in it. Writers (the API, the admin, the services) accept any case and store lower case."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ISO 639-1, as maintained by its registration authority (the Library of Congress): the 183
# current codes. Withdrawn ones are left out ("iw", "in", "ji", "jw", "mo", "sh", "bh").
_CODES = (
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht "
    "hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky "
    "la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny "
    "oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss "
    "st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo "
    "za zh zu"
)
ISO_639_1: frozenset[str] = frozenset(_CODES.split())

INVALID_LANGUAGE = _("The course language must be an ISO 639-1 code: two letters, such as en, es, fr or ar.")


def language_normalise(value: str) -> str:
    """`value` as stored: trimmed and lower case ("EN" -> "en"). Validity is validate_language's."""
    return value.strip().lower() if isinstance(value, str) else value


def is_language(value) -> bool:
    """Whether `value` is an ISO 639-1 code as stored (lower case)."""
    return isinstance(value, str) and value in ISO_639_1


def validate_language(value) -> None:
    """The validator of Course.language and of the API's and the admin's `language` inputs: an ISO
    639-1 code in lower case (inputs normalise the case first), else a ValidationError."""
    if not is_language(value):
        raise ValidationError(INVALID_LANGUAGE, code="invalid_language")
