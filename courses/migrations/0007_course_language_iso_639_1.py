"""Course.language becomes an ISO 639-1 code (courses.languages). Stored values that are not one
are repaired where the intent is plain and blanked otherwise:
- lower-cased when that makes a code ("EN" -> "en");
- else the primary language subtag when it is a code ("pt-BR" -> "pt", "en_US" -> "en"): the old
  API accepted such tags, and the language is what the course is filtered and certified by;
- else "" (unknown: "eng", "fil", "xx", "english"), which no writer accepts any more.
One UPDATE per distinct bad value. Not reversible in detail: going back leaves the repaired values."""

import re

from django.db import migrations

# The 183 codes as of this migration (a copy: a migration must not change when the app's module does).
ISO_639_1 = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht "
    "hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky "
    "la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny "
    "oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss "
    "st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo "
    "za zh zu".split()
)


def repaired(value: str) -> str:
    lowered = (value or "").strip().lower()
    if lowered in ISO_639_1:
        return lowered
    primary = re.split(r"[-_]", lowered, maxsplit=1)[0]
    return primary if primary in ISO_639_1 else ""


def repair_languages(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    bad = set(Course.objects.exclude(language__in=ISO_639_1).values_list("language", flat=True).order_by().distinct())
    for value in bad:
        new = repaired(value)
        if new != value:
            Course.objects.filter(language=value).update(language=new)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_verbose_names"),
    ]

    operations = [
        migrations.RunPython(repair_languages, migrations.RunPython.noop),
    ]
