"""The certificate in each shipped language, for names in any script, read back with pdfium: one
page, the text present (the name, the course, the heading and the date in the certificate's
language), every glyph from a font that has it, an Arabic certificate laid out right to left; and
which language a certificate is printed in (certificates.services.certificate_language)."""

import ctypes
import unicodedata
from datetime import UTC, datetime

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext

from accounts.tests.factories import StudentFactory
from certificates import services
from certificates.rendering import render_html, render_pdf
from certificates.tests.factories import CertificateFactory, CompletedEnrollmentFactory
from courses.tests.factories import PublishedCourseFactory

pytest.importorskip("weasyprint")

LANGUAGES = [code for code, _ in settings.LANGUAGES]
NAMES = {"latin": "Zoë Ødegård", "arabic": "محمد علي", "cjk": "李小龙"}
COURSE = "Practical Django REST APIs"
INSTRUCTOR = "Ivan Instructor"
COMPLETED = datetime(2026, 11, 2, 10, 15, tzinfo=UTC)
MM = 72 / 25.4  # PDF points per millimetre


def fields(language: str, name: str = NAMES["latin"]) -> dict:
    return {
        "code": "ABCD2345EFGH6789JKLM",
        "student_name": name,
        "course_title": COURSE,
        "instructor_name": INSTRUCTOR,
        "completed_at": COMPLETED,
        "language": language,
    }


class Printed:
    """A rendered certificate's first page as pdfium reads it: its text, each character's font
    and box."""

    def __init__(self, pdf: bytes):
        document = pypdfium2.PdfDocument(pdf)
        try:
            self.pages = len(document)
            page = document[0]
            self.width, self.height = page.get_size()
            textpage = page.get_textpage()
            self.text = textpage.get_text_range()
            self.chars = []  # (character, font name, (left, bottom, right, top))
            buffer = ctypes.create_string_buffer(256)
            for index in range(textpage.count_chars()):
                char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))
                if char.isspace():
                    continue
                pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, len(buffer), None)
                font = buffer.value.decode(errors="replace")
                self.chars.append((char, font, textpage.get_charbox(index)))
        finally:
            document.close()

    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines()]

    def has(self, expected: str) -> bool:
        """Whether `expected` is printed. Right-to-left text is compared line by line as letters:
        pdfium extracts some Arabic ligatures (lam-alef) with their letters swapped, and marks
        (shadda) out of place; that is the extraction, not the print."""
        if expected in self.text:
            return True
        if not any(unicodedata.bidirectional(c) in ("R", "AL") for c in expected):
            return False
        return any(letters(line) == letters(expected) for line in self.lines())

    def fonts_of(self, predicate) -> set[str]:
        """The fonts of the characters `predicate` selects, without their subset prefix."""
        return {font.split("+")[-1].replace("-", "") for char, font, _ in self.chars if predicate(char)}

    def box_of(self, word: str) -> tuple[float, float, float, float]:
        """The bounding box of the first occurrence of `word` (left-to-right text)."""
        text = "".join(char for char, _, _ in self.chars)
        start = text.index(word.replace(" ", ""))
        boxes = [box for _, _, box in self.chars[start : start + len(word.replace(" ", ""))]]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )


def letters(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    return sorted(c for c in text if not c.isspace() and not unicodedata.combining(c))


def arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


def cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@pytest.fixture(scope="module")
def printed():
    """Every language with every kind of name, rendered once for the module."""
    cache: dict[tuple[str, str], Printed] = {}

    def get(language: str, script: str = "latin") -> Printed:
        if (language, script) not in cache:
            cache[language, script] = Printed(render_pdf(**fields(language, NAMES[script])))
        return cache[language, script]

    return get


@pytest.mark.parametrize("script", list(NAMES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_certificate_is_one_page_with_the_name_course_and_heading_in_its_language(printed, language, script):
    page = printed(language, script)
    assert page.pages == 1
    assert page.has(NAMES[script])
    assert page.has(COURSE) and page.has(INSTRUCTOR)
    with translation.override(language):
        heading = gettext("Certificate of Completion")
        completed_on = formats.date_format(COMPLETED.date(), "DATE_FORMAT")
    assert page.has(heading)
    assert page.has(completed_on)
    # Everything is on the page: nothing pushed past an edge (the right-to-left footer once was).
    for char, _, (left, bottom, right, top) in page.chars:
        assert left >= -1 and right <= page.width + 1 and bottom >= -1 and top <= page.height + 1, char


@pytest.mark.parametrize("language", ["en", "ar"])
def test_names_in_any_script_print_with_fonts_that_have_their_glyphs(printed, language):
    assert printed(language, "arabic").fonts_of(arabic) <= {"NotoNaskhArabic", "NotoSansArabic"}
    assert "NotoNaskhArabic" in printed(language, "arabic").fonts_of(lambda c: c in NAMES["arabic"])
    assert printed(language, "cjk").fonts_of(cjk) == {"DroidSansFallback"}
    latin = printed(language, "latin").fonts_of(lambda c: c in "ëØå")
    assert latin == {"NotoSerif"}


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    ("name", "title"),
    [
        (("Wolfeschlegelsteinhausenbergerdorff Hubert Blaine " * 7)[:296] + " End", "An introduction " * 12 + "Omega"),
        ("欧阳司马诸葛上官东方皇甫尉迟" * 3, "软件工程与网络应用程序接口设计的全面介绍" * 9 + "终章"),
    ],
    ids=["latin", "cjk"],
)
def test_the_longest_name_and_title_print_smaller_and_stay_clear_of_the_footer(language, name, title):
    """300 characters of name and 200 of title (the most the model holds) on one page, above the
    QR code (which is 30 mm tall above the verification code)."""
    page = Printed(render_pdf(**{**fields(language, name), "course_title": title}))
    assert page.pages == 1
    code_top = page.box_of("ABCD2345EFGH6789JKLM")[3]
    assert page.box_of(title[-2:])[1] > code_top + 30 * MM  # the title's last line
    assert page.box_of(name[-2:])[1] > page.box_of(title[:4])[3]  # the name above the title


def test_dates_are_written_the_way_each_language_writes_them(printed):
    assert printed("en").has("Nov. 2, 2026")
    assert printed("es").has("2 de noviembre de 2026")
    assert printed("fr").has("2 novembre 2026")


def test_the_html_says_its_language_and_direction():
    english = render_html(**fields("en"))
    arabic_html = render_html(**fields("ar"))
    assert '<html lang="en" dir="ltr">' in english
    assert '<html lang="ar" dir="rtl">' in arabic_html
    # A language the platform does not ship, and none: LANGUAGE_CODE.
    assert '<html lang="en" dir="ltr">' in render_html(**fields("de"))
    assert '<html lang="en" dir="ltr">' in render_html(**fields(None))


def test_an_arabic_certificate_is_laid_out_right_to_left(printed):
    """The footer mirrors: the instructor's signature, at the left of an English certificate
    (text starting at the footer's left edge, 36 mm in), is at the right of an Arabic one, its text
    ending at the footer's right edge."""
    english, arabic_page = printed("en"), printed("ar")
    left, _, right, _ = english.box_of(INSTRUCTOR)
    assert abs(left - 36 * MM) < 2 * MM and right < english.width / 2
    left, _, right, _ = arabic_page.box_of(INSTRUCTOR)
    assert abs(right - (arabic_page.width - 36 * MM)) < 2 * MM and left > arabic_page.width / 2


def test_the_certificate_ignores_the_active_language():
    """A job or a request in another language prints the certificate's own."""
    with translation.override("ar"):
        html = render_html(**fields("en"))
    assert '<html lang="en" dir="ltr">' in html
    with translation.override("en"):
        assert '<html lang="ar" dir="rtl">' in render_html(**fields("ar"))


# --- which language: the course's (when shipped), else the student's, else LANGUAGE_CODE -------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("course_language", "student_language", "expected"),
    [
        ("es", "fr", "es"),  # the course's, over the student's
        ("ar", "", "ar"),
        ("de", "fr", "fr"),  # a course language the platform does not ship: the student's
        ("de", "", "en"),  # neither: LANGUAGE_CODE
        ("", "ar", "ar"),
    ],
)
def test_the_certificate_language_is_the_course_s_else_the_student_s(course_language, student_language, expected):
    enrollment = CompletedEnrollmentFactory(
        course=PublishedCourseFactory(language=course_language),
        student=StudentFactory(language=student_language),
    )
    with translation.override("fr" if expected != "fr" else "es"):  # whoever's request or job it is
        assert services.certificate_language(enrollment) == expected


@pytest.mark.django_db
def test_issue_prints_and_stores_the_language_and_a_reissue_keeps_it(django_capture_on_commit_callbacks):
    enrollment = CompletedEnrollmentFactory(
        course=PublishedCourseFactory(language="ar"), student=StudentFactory(language="es")
    )
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_issue(enrollment_id=enrollment.pk)
    assert certificate.language == "ar"
    with certificate.pdf.open("rb") as f:
        assert Printed(f.read()).has(enrollment.student.full_name)

    enrollment.course.language = "fr"
    enrollment.course.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        reissued = services.certificate_reissue(actor=None, certificate=certificate)
    reissued.refresh_from_db()
    assert reissued.version == 2 and reissued.language == "ar"


@pytest.mark.django_db
def test_a_reissue_of_a_certificate_without_a_language_chooses_one():
    certificate = CertificateFactory(
        enrollment=CompletedEnrollmentFactory(course=PublishedCourseFactory(language="es")), language=""
    )
    reissued = services.certificate_reissue(actor=None, certificate=certificate)
    reissued.refresh_from_db()
    assert reissued.language == "es"


@pytest.mark.django_db
def test_a_student_without_a_name_is_printed_generically_in_the_certificate_s_language():
    enrollment = CompletedEnrollmentFactory(
        course=PublishedCourseFactory(language="es"), student=StudentFactory(first_name="", last_name="")
    )
    with translation.override("es"):
        expected = gettext("{platform} learner").format(platform=settings.PLATFORM_NAME)
    with translation.override("ar"):
        names = services.certificate_printed_names(enrollment)
    assert names["student_name"] == expected
