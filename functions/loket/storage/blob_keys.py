"""The blob keys stored records name, for the clean-up of blobs that nothing names
(services/blob_cleanup.py); both stores read their records with these."""

from __future__ import annotations

import json
from typing import Iterator

from loket.domain.attachments import attachment_key


def keys_in_attachments(text: str | None) -> Iterator[str]:
    """The file and thumbnail keys in a message's attachments column (records.py)."""
    for attachment in json.loads(text or "[]"):
        yield from filter(None, (attachment.get("key"), attachment.get("thumbnail_key")))


def upload_final_key(upload_id: str) -> str:
    """Where an upload is copied when its message is stored."""
    return attachment_key(upload_id)
