"""What each purpose accepts (size and types, from settings) and what a file's bytes say it is."""

import codecs
from dataclasses import dataclass
from decimal import Decimal

import filetype
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from .models import UploadPurpose

IMAGE, VIDEO, DOCUMENT = "image", "video", "document"


@dataclass(frozen=True)
class Rule:
    max_bytes: int
    types: tuple[str, ...]
    kind: str  # how the stored file is checked: image (Pillow), video (ffprobe) or document (sniffed only)


def rule_for(purpose: str) -> Rule:
    """Read at call time, so a changed setting applies without a restart of the tests."""
    s = settings
    return {
        UploadPurpose.COURSE_COVER: Rule(s.MEDIA_COVER_MAX_BYTES, tuple(s.MEDIA_IMAGE_TYPES), IMAGE),
        UploadPurpose.AVATAR: Rule(s.MEDIA_AVATAR_MAX_BYTES, tuple(s.MEDIA_IMAGE_TYPES), IMAGE),
        UploadPurpose.LESSON_VIDEO: Rule(s.MEDIA_VIDEO_MAX_BYTES, tuple(s.MEDIA_VIDEO_TYPES), VIDEO),
        UploadPurpose.LESSON_ATTACHMENT: Rule(s.MEDIA_ATTACHMENT_MAX_BYTES, tuple(s.MEDIA_DOCUMENT_TYPES), DOCUMENT),
        UploadPurpose.SUBMISSION_FILE: Rule(s.MEDIA_SUBMISSION_MAX_BYTES, tuple(s.MEDIA_SUBMISSION_TYPES), DOCUMENT),
    }[UploadPurpose(purpose)]


def normalize_type(content_type: str) -> str:
    """`Image/PNG; charset=x` -> `image/png`."""
    return content_type.split(";", 1)[0].strip().lower()


# Types that bytes alone cannot tell apart: plain text in its flavours, the ISO media container (MP4
# and QuickTime share it), and the office formats that are zip archives inside.
_FAMILIES = {
    "text/plain": "text",
    "text/markdown": "text",
    "text/csv": "text",
    "video/mp4": "isobmff",
    "video/quicktime": "isobmff",
    "video/x-m4v": "isobmff",
    "application/zip": "zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "zip",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "zip",
    "application/vnd.oasis.opendocument.text": "zip",
    "application/vnd.oasis.opendocument.spreadsheet": "zip",
    "application/vnd.oasis.opendocument.presentation": "zip",
    "application/msword": "ole",
    "application/vnd.ms-excel": "ole",
    "application/vnd.ms-powerpoint": "ole",
    "application/x-ole-storage": "ole",
}


def same_kind(declared: str, detected: str) -> bool:
    """Whether the bytes agree with what the uploader declared."""
    if declared == detected:
        return True
    family = _FAMILIES.get(declared)
    return family is not None and family == _FAMILIES.get(detected)


def sniff(head: bytes) -> str | None:
    """The type the first bytes say, or None when they match no known binary format."""
    kind = filetype.guess(head)
    return kind.mime if kind else None


def is_utf8_text(chunks) -> bool:
    """True when the whole stream decodes as UTF-8 and holds no NUL byte (binary data does)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def describe_size(size: int) -> str:
    """1 MB = 1,048,576 bytes, as the limits are set; in the active language (its decimal mark)."""
    if size >= 1024 * 1024:
        return gettext("{size} MB").format(size=_number(size / (1024 * 1024)))
    if size >= 1024:
        return gettext("{size} KB").format(size=_number(size / 1024))
    return ngettext("{count} byte", "{count} bytes", size).format(count=size)


def _number(value: float) -> str:
    """`value` with at most 6 significant digits (as `:g`), in the active language's format."""
    return number_format(Decimal(f"{value:g}"))
