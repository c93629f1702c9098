"""How many certificate PDFs per second one process renders (WeasyPrint + a segno QR code).

    .venv/bin/python bench/certificates.py [COUNT]

Prints the time of the first render (font loading) and the steady rate."""

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

import django

django.setup()

from certificates.rendering import render_pdf  # noqa: E402


def main(count: int) -> None:
    fields = {
        "code": "ABCD2345EFGH6789JKLM",
        "student_name": "Ada Lovelace",
        "course_title": "Practical Django REST APIs",
        "instructor_name": "Ivan Instructor",
        "completed_at": datetime.now(UTC),
    }
    started = time.perf_counter()
    size = len(render_pdf(**fields))
    first = time.perf_counter() - started
    started = time.perf_counter()
    for n in range(count):
        render_pdf(**{**fields, "student_name": f"Student {n}"})
    elapsed = time.perf_counter() - started
    print(f"first PDF: {first:.2f} s (loads fonts); PDF size {size / 1024:.0f} KiB")
    rate = count / elapsed
    print(f"{count} PDFs in {elapsed:.2f} s: {rate:.1f} PDFs/s per process ({1000 / rate:.0f} ms each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
