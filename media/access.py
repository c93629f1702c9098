"""Who may use an upload: its uploader, for everything; admins, to read and delete it. Anyone else
gets 404, as if it did not exist (ids are UUIDs, but an id seen in a page must not reveal more)."""

import uuid
from typing import Literal

from django.utils.translation import gettext_lazy as _

from lms.errors import NotFound

from .models import Upload

Need = Literal["read", "delete", "upload"]
MESSAGE = _("No such upload.")


def upload_for(user, upload_id, *, need: Need = "read", lock: bool = False) -> Upload:
    """The upload `upload_id` as `user` may use it: read and delete for its uploader and admins; the
    upload steps (content, complete) for its uploader only. `lock` takes the row lock (in a
    transaction)."""
    try:
        upload_id = uuid.UUID(str(upload_id))
    except ValueError:
        raise NotFound(MESSAGE) from None
    queryset = Upload.objects.select_related("owner")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    upload = queryset.filter(pk=upload_id).first()
    if upload is None or not (upload.owner_id == user.pk or (need != "upload" and user.is_admin)):
        raise NotFound(MESSAGE)
    return upload
