"""Files over HTTP: /api/uploads (start an upload; locally, take in its file) and the
downloads of a ticket's attachments and thumbnails, for whoever holds the ticket's token."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, redirect, request, send_file

from loket.domain.attachments import Attachment, content_disposition
from loket.domain.errors import FieldError, ValidationFailed
from loket.services.attachments import (download, pending_upload, receive_upload,
                                        start_upload)
from loket.web.auth import viewer
from loket.web.current import services
from loket.web.headers import ATTACHMENT_POLICY
from loket.web.payloads import read_payload

bp = Blueprint("attachments", __name__, url_prefix="/api")

# Room for the multipart framing and the token around the file itself.
FORM_OVERHEAD = 64 * 1024
# What every download carries: never sniffed into something runnable, never run in our
# origin even if opened in a tab, and never read by another site's page.
DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff",
                    "Content-Security-Policy": ATTACHMENT_POLICY,
                    "Cross-Origin-Resource-Policy": "same-origin",
                    "Referrer-Policy": "no-referrer"}


@bp.post("/uploads")
def create_upload():
    started = start_upload(services(), read_payload(request),
                           client_address=request.remote_addr or "unknown")
    response = jsonify({"id": started.upload.id, "name": started.upload.name,
                        "url": started.url, "fields": started.fields,
                        "expires_at": started.upload.expires_at.isoformat()})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/uploads/<upload_id>")
def receive_file(upload_id: str):
    """The upload form of the folder store posts here: `token`, then `file`."""
    upload = pending_upload(services(), upload_id)
    request.max_content_length = upload.size + FORM_OVERHEAD
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed([FieldError("file", "is required")])
    receive_upload(services(), upload_id, request.form.get("token", ""), file.stream)
    return current_app.response_class(status=204, headers={"Cache-Control": "no-store"})


@bp.get("/tickets/<int:number>/attachments/<attachment_id>", defaults={"thumbnail": False})
@bp.get("/tickets/<int:number>/attachments/<attachment_id>/thumbnail",
        endpoint="thumbnail", defaults={"thumbnail": True})
def get_attachment(number: int, attachment_id: str, thumbnail: bool):
    # Imported on the first download, not with the API: a cold submission needs neither.
    from loket.services.access import open_ticket_as
    from loket.services.lookup import view_of

    ticket = open_ticket_as(services(), number, token=request.args.get("token"),
                            viewer=viewer())
    view = view_of(services(), ticket)
    found = download(services(), view.messages, attachment_id, thumbnail=thumbnail)
    if found.url is not None:
        # S3 serves it, with the same Content-Type and Content-Disposition, from the
        # bucket's own origin; the link is good for a few minutes.
        response = redirect(found.url, code=302)
    else:
        response = send_file(services().blobs.open(found.key), mimetype=found.content_type,
                             etag=False, conditional=False, max_age=None)
        response.headers["Content-Disposition"] = content_disposition(found.name,
                                                                      inline=found.inline)
        response.headers.update(DOWNLOAD_HEADERS)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def attachment_json(number: int, token: str | None, attachment: Attachment) -> dict:
    """An attachment as the API shows it, with the links that serve it to this reader
    (without a token, the links work for a signed-in reader's session)."""
    query = "?" + urlencode({"token": token}) if token else ""
    base = f"/api/tickets/{number}/attachments/{attachment.id}"
    return {"id": attachment.id, "name": attachment.name,
            "content_type": attachment.content_type, "size": attachment.size,
            "url": base + query,
            "thumbnail_url": base + "/thumbnail" + query if attachment.thumbnail_key else None}
