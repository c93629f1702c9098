"""The shipped translations are complete and well formed (README "Languages").

- `makemessages`, run on a copy of the project, finds no string that is missing or fuzzy in any
  shipped language: a new or changed message without its translations fails here;
- every translation keeps its message's {placeholders} (msgfmt --check) and the plural forms follow
  each language's rule (Arabic has six);
- no message is built by gluing translated fragments together (word order differs by language)."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
SHIPPED = [code for code, _ in settings.LANGUAGES if code != "en"]
COPY_IGNORED = shutil.ignore_patterns(".git", ".venv", "node_modules", "var", "staticfiles", "__pycache__", "*.mo")
STATS = re.compile(
    r"(?:(\d+) translated messages?)?(?:, )?(?:(\d+) fuzzy translations?)?(?:, )?(?:(\d+) untranslated)?"
)

# What each language's catalog must declare (CLDR's rules, as Django and gettext write them).
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
    "n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5);",
}
# The form each count takes (0, 1, 2, 5, 11).
FORMS_BY_COUNT = {
    "es": [1, 0, 1, 1, 1],
    "fr": [0, 0, 1, 1, 1],
    "ar": [0, 1, 2, 3, 4],
}
COUNTS = [0, 1, 2, 5, 11]


def po_path(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def msgfmt_statistics(po: Path) -> tuple[int, int, int, str]:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
    match = STATS.search(last)
    translated, fuzzy, untranslated = (int(g or 0) for g in match.groups()) if match else (0, 0, 0)
    problems = "" if result.returncode == 0 else result.stderr
    return translated, fuzzy, untranslated, problems


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """A copy of the project whose catalogs makemessages has just updated from the code."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is not installed (scripts/system-deps.sh installs it)")
    copy = tmp_path_factory.mktemp("catalogs") / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORED)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *(f"--locale={code}" for code in SHIPPED)],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_of_the_code_is_translated_and_none_is_fuzzy(extracted, language):
    translated, fuzzy, untranslated, problems = msgfmt_statistics(po_path(extracted, language))
    assert not problems, problems
    assert translated > 0
    assert (fuzzy, untranslated) == (0, 0), (
        f"{language}: {untranslated} untranslated and {fuzzy} fuzzy messages: run "
        f"`python manage.py makemessages -a`, translate them in locale/{language}/LC_MESSAGES/django.po "
        "and remove the fuzzy flags (README 'Languages')"
    )


@pytest.mark.parametrize("language", SHIPPED)
def test_the_committed_catalog_is_the_extracted_one(extracted, language):
    """The committed catalog has exactly the code's messages (makemessages changes no message)."""

    def messages(po: Path) -> list[str]:
        """Each msgid as one string (however the file wraps its lines), with its context."""
        text = po.read_text(encoding="utf-8")
        entries = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\n((?:".*"\n)*)', text, flags=re.M)
        continued = re.compile(r'^"(.*)"$', flags=re.M)
        return sorted(context + "\x04" + first + "".join(continued.findall(rest)) for context, first, rest in entries)

    assert messages(po_path(ROOT, language)) == messages(po_path(extracted, language))


@pytest.mark.parametrize("language", SHIPPED)
def test_the_catalog_declares_the_languages_plural_rule(language):
    header = po_path(ROOT, language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    header = "".join(re.findall(r'^"(.*)"$', header, flags=re.M))  # the header's lines, unwrapped
    match = re.search(r"Plural-Forms: (.*?)\\n", header)
    assert match is not None
    assert match.group(1).replace(" ", "") == PLURAL_FORMS[language].replace(" ", "")


def plural_entries(language: str) -> dict[str, list[str]]:
    """{singular msgid: [msgstr[0], msgstr[1], ...]} of the catalog's plural messages (one-line ids)."""
    text = po_path(ROOT, language).read_text(encoding="utf-8")
    found = {}
    for block in text.split("\n\n"):
        singular = re.search(r'^msgid "(.+)"$', block, flags=re.M)
        if singular and "msgid_plural" in block:
            forms = re.findall(r'^msgstr\[(\d)\] "(.*)"((?:\n".*")*)', block, flags=re.M)
            found[singular.group(1)] = [first + "".join(re.findall(r'"(.*)"', rest)) for _, first, rest in forms]
    return found


@pytest.mark.parametrize("language", SHIPPED)
def test_every_plural_message_has_all_its_forms(language):
    nplurals = int(re.search(r"nplurals=(\d)", PLURAL_FORMS[language]).group(1))
    entries = plural_entries(language)
    assert len(entries) > 20
    for msgid, forms in entries.items():
        assert len(forms) == nplurals and all(forms), (msgid, forms)


@pytest.mark.parametrize("language", SHIPPED)
@pytest.mark.parametrize("message", ["Try again in {count} minute.", "{count} course published."])
def test_plural_messages_take_the_form_each_count_needs(language, message):
    """0, 1, 2, 5 and 11 each get the form the language's rule gives them (Arabic: five forms)."""
    singular, plural = message, message.replace("minute", "minutes").replace("course", "courses")
    forms = plural_entries(language)[singular]
    with translation.override(language):
        for count, index in zip(COUNTS, FORMS_BY_COUNT[language], strict=True):
            text = translation.ngettext(singular, plural, count)
            assert text == forms[index], (language, count, text, forms[index])
            assert text.format(count=count)  # every form formats with the count


# --- no message glued from pieces ----------------------------------------------------------------
TRANSLATING = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "gettext_noop"}
POSITIONAL_OR_EMPTY = re.compile(r"\{\d*\}")


def source_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "tests", "migrations", "node_modules", "bench", "clients", "scripts", "var"}:
            continue
        yield path


def is_translation(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATING


def contains_translation(node) -> bool:
    return any(is_translation(child) for child in ast.walk(node))


def glued_messages(tree) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if is_translation(node.left) or is_translation(node.right):
                found.append(f"line {node.lineno}: a translated message joined with +")
        elif isinstance(node, ast.JoinedStr) and any(
            contains_translation(v) for v in node.values if isinstance(v, ast.FormattedValue)
        ):
            found.append(f"line {node.lineno}: a translated message inside an f-string")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and any(isinstance(arg, (ast.List, ast.Tuple)) and contains_translation(arg) for arg in node.args)
        ):
            # Joining whole messages (a list of errors) is fine; joining a literal list of pieces is not.
            found.append(f"line {node.lineno}: translated pieces joined with str.join")
        elif is_translation(node) and node.args:
            literals = node.args[:2] if node.func.id.startswith("n") else node.args[:1]
            if node.func.id.startswith("p"):
                literals = node.args[1:2]
            for arg in literals:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    found.append(f"line {node.lineno}: {node.func.id}() of something other than a string literal")
                elif POSITIONAL_OR_EMPTY.search(arg.value):
                    found.append(f"line {node.lineno}: a message with an unnamed {{}} placeholder")
    return found


def test_no_message_is_built_from_translated_fragments():
    problems = []
    for path in source_files():
        for problem in glued_messages(ast.parse(path.read_text(encoding="utf-8"))):
            problems.append(f"{path.relative_to(ROOT)} {problem}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "code, glued",
    [
        ('x = _("Hello") + name', True),
        ("x = f\"{_('Hello')} {name}\"", True),
        ('x = " ".join([_("Hello"), _("world")])', True),
        ('x = _(f"Hello {name}")', True),
        ('x = _("Hello {}").format(name)', True),
        ('x = _("Hello {name}").format(name=name)', False),
        ('x = ngettext("{count} lesson", "{count} lessons", n).format(count=n)', False),
        ('x = pgettext("grade", "Pass")', False),
    ],
)
def test_the_gluing_check_finds_what_it_should(code, glued):
    assert bool(glued_messages(ast.parse(code))) is glued
