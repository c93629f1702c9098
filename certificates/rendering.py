"""Turns a certificate's printed fields into a PDF: an HTML template rendered by WeasyPrint, with a
QR code (segno) of the public verify URL."""

import hashlib

import segno
from django.conf import settings
from django.template.loader import render_to_string


def verify_url(code: str) -> str:
    return settings.CERTIFICATE_VERIFY_URL.format(code=code)


def url_fetcher():
    """What WeasyPrint may load while rendering: `data:` URIs only (the QR code). Names and titles
    reach the template escaped; should any markup ever slip through, it still cannot make the worker
    read a local file (`file:///etc/passwd`) or call a server (`http://169.254.169.254/`)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def render_pdf(*, code: str, student_name: str, course_title: str, instructor_name: str, completed_at) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only workers need it

    url = verify_url(code)
    context = {
        "platform_name": settings.PLATFORM_NAME,
        "code": code,
        "student_name": student_name,
        "course_title": course_title,
        "instructor_name": instructor_name,
        "completed_on": completed_at.strftime("%d %B %Y"),
        "verify_url": url,
        "qr_data_uri": segno.make(url, error="m").svg_data_uri(border=2, dark="#1d2433"),
    }
    html = render_to_string("certificates/certificate.html", context)
    return HTML(string=html, url_fetcher=url_fetcher()).write_pdf()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
