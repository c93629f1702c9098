"""The README's "Webhooks" section shows the very snippets the delivery tests verify signatures with,
and documents every field of every event type's `data` (webhooks.payloads)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from webhooks import payloads

SNIPPETS = Path(__file__).parent / "snippets"


@pytest.fixture
def section() -> str:
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    match = re.search(r"^## Webhooks\n(.*?)(?=^## )", readme + "\n## ", re.S | re.M)
    assert match is not None, "README.md has no Webhooks section"
    return match.group(1)


@pytest.mark.parametrize("name", ["verify_signature.py", "verify_signature.js"])
def test_the_readme_shows_the_tested_verification_snippets(section, name):
    assert (SNIPPETS / name).read_text().strip() in section


def test_the_readme_documents_every_field_of_every_type(section):
    for event_type in payloads.BUILDERS:
        assert f"`{event_type}`" in section, event_type
        for field in payloads.fields(event_type):
            assert f"`{field}`" in section, (event_type, field)
