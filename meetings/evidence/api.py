"""/api/v1/meetings/{id}/attachments (SPEC §10, §12)."""
from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import InvalidInput
from ..proposals.services import get_meeting
from ..rest import Blueprint, SelectPage, authenticate_request, current_user
from . import services
from .schemas import AttachmentForm, AttachmentSchema, AttachmentVoidArgs

# public=True: this blueprint authenticates in its own before_request, after
# reading an upload's body (below)
blp = Blueprint("attachments", __name__, url_prefix="/api/v1/meetings", public=True,
                description="Evidence of a meeting: receipts, photos, the scanned sign-in sheet (SPEC §12)")

UPLOAD = "attachments.add_attachment"
MULTIPART_ROOM = 64 * 1024  # the form's other fields and the part headers


@blp.before_request
def read_upload_then_authenticate():
    """An upload's own size bound (above the app's request limit), and its
    body read off the network — spooled to disk by the multipart parser —
    before the first database statement: on SQLite a slow phone upload never
    holds the write lock, which a write request takes with its first
    statement (meetings/database.py)."""
    if request.endpoint == UPLOAD and request.method == "POST":
        request.max_content_length = current_app.config["ATTACHMENT_MAX_BYTES"] + MULTIPART_ROOM
        try:
            request.files  # noqa: B018 — parses the body now
        except RequestEntityTooLarge:
            raise services.too_large() from None
    authenticate_request()


@blp.route("/<int:meeting_id>/attachments")
@blp.response(200, AttachmentSchema(many=True))
@blp.paginate(SelectPage)
def list_attachments(meeting_id):
    return services.attachments_of(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/attachments", methods=["POST"])
@blp.arguments(AttachmentForm, location="form", content_type="multipart/form-data")
@blp.response(201, AttachmentSchema, description="The attachment, its body stored")
def add_attachment(args, meeting_id):
    user = current_user()
    meeting = get_meeting(user, meeting_id)
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(_("choose a file to attach"), field="file")
    args.pop("file", None)
    return services.add_attachment(user, meeting, upload.stream, filename=upload.filename, **args)


@blp.route("/<int:meeting_id>/attachments/<int:attachment_id>")
@blp.response(200, AttachmentSchema)
def get_attachment(meeting_id, attachment_id):
    return services.get_attachment(get_meeting(current_user(), meeting_id), attachment_id)


@blp.route("/<int:meeting_id>/attachments/<int:attachment_id>/file")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/octet-stream",
              description="The stored bytes, with their type (application/pdf, image/jpeg, image/png, "
                          "image/webp) and Content-Disposition: attachment; single range reads answer 206")
@blp.alt_response(206, description="The requested range of the stored bytes")
def attachment_file(meeting_id, attachment_id):
    return services.download(get_meeting(current_user(), meeting_id), attachment_id)


@blp.route("/<int:meeting_id>/attachments/<int:attachment_id>/void", methods=["POST"])
@blp.arguments(AttachmentVoidArgs)
@blp.response(200, AttachmentSchema, description="The voided attachment: kept on record, out of every check")
def void_attachment(args, meeting_id, attachment_id):
    user = current_user()
    return services.void_attachment(user, get_meeting(user, meeting_id), attachment_id, args["reason"])
