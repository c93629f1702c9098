"""Turns a certificate's printed fields into a PDF: an HTML template rendered by WeasyPrint, with a
QR code (segno) of the public verify URL.

A certificate is printed in one language (certificates.services.certificate_language chooses it),
passed in and rendered under `translation.override(language)`, never in the language that
happens to be active (a job's, or the request's of whoever triggered it). The wording, the date
format and the direction (Arabic: right to left) follow it."""

import hashlib
import math
import unicodedata
from datetime import date, datetime

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import format_html

from lms.i18n import supported

# The name and the course title are printed as large as they fit: together they have TEXT_HEIGHT_MM
# between the lines above them and the footer (QR code), the name at most NAME_HEIGHT_MM of it, in
# boxes NAME_WIDTH_MM and TITLE_WIDTH_MM wide. A long name or title (300 and 200 characters are
# allowed) is printed smaller rather than run into the footer or onto a second page.
NAME_SIZES = (30, 26, 22, 18, 15, 12, 10)  # pt, largest first
TITLE_SIZES = (20, 17, 14, 12, 10, 8)
NAME_WIDTH_MM, TITLE_WIDTH_MM = 200, 220
TEXT_HEIGHT_MM, NAME_HEIGHT_MM = 32, 22
LINE_HEIGHT = 1.3  # the template's line-height for both
MM_PER_PT = 25.4 / 72


def _width_em(text: str) -> float:
    """About how wide `text` prints, in em: Chinese, Japanese and Korean characters are square,
    the others (Latin, Arabic) about half as wide."""
    return sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.6 for char in text)


def _fit(text: str, sizes: tuple[int, ...], width_mm: float, height_mm: float) -> tuple[int, float]:
    """The largest of `sizes` at which `text` fits `height_mm` (lines wrapped at `width_mm`, with
    room for the wrapping at spaces), and the height it then takes."""
    for size in sizes:
        per_line = 0.85 * width_mm / (size * MM_PER_PT)
        height = max(1, math.ceil(_width_em(text) / per_line)) * size * LINE_HEIGHT * MM_PER_PT
        if height <= height_mm:
            break
    return size, height


def verify_url(code: str) -> str:
    return settings.CERTIFICATE_VERIFY_URL.format(code=code)


def url_fetcher():
    """What WeasyPrint may load while rendering: `data:` URIs only (the QR code). Names and titles
    reach the template escaped; should any markup ever slip through, it still cannot make the worker
    read a local file (`file:///etc/passwd`) or call a server (`http://169.254.169.254/`)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def _day(moment: date | datetime) -> date:
    """The calendar day of `moment` in the platform's time zone."""
    if isinstance(moment, datetime):
        return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).date()
    return moment


def render_html(
    *,
    code: str,
    student_name: str,
    course_title: str,
    instructor_name: str,
    completed_at: date | datetime,
    language: str | None = None,
) -> str:
    """The certificate's HTML in `language` (one the platform ships; else LANGUAGE_CODE). The verify
    URL is an inline block of its own, left to right: in an Arabic sentence it keeps its order
    (WeasyPrint has no CSS unicode-bidi to isolate it)."""
    url = verify_url(code)
    name_size, name_height = _fit(student_name, NAME_SIZES, NAME_WIDTH_MM, NAME_HEIGHT_MM)
    title_size, _ = _fit(course_title, TITLE_SIZES, TITLE_WIDTH_MM, TEXT_HEIGHT_MM - name_height)
    with translation.override(supported(language) or settings.LANGUAGE_CODE):
        context = {
            "platform_name": settings.PLATFORM_NAME,
            "code": code,
            "student_name": student_name,
            "name_size": name_size,
            "course_title": course_title,
            "title_size": title_size,
            "instructor_name": instructor_name,
            "completed_on": formats.date_format(_day(completed_at), "DATE_FORMAT"),
            "verify_link": format_html('<span class="url" dir="ltr">{}</span>', url),
            "qr_data_uri": segno.make(url, error="m").svg_data_uri(border=2, dark="#1d2433"),
        }
        return render_to_string("certificates/certificate.html", context)


def render_pdf(
    *,
    code: str,
    student_name: str,
    course_title: str,
    instructor_name: str,
    completed_at: date | datetime,
    language: str | None = None,
) -> bytes:
    """The certificate's PDF in `language` (see render_html): one A4 landscape page, its fonts
    embedded as subsets."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only workers need it

    html = render_html(
        code=code,
        student_name=student_name,
        course_title=course_title,
        instructor_name=instructor_name,
        completed_at=completed_at,
        language=language,
    )
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
