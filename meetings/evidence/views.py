"""Pages: the meeting page's evidence panel (the list, what the meeting still
lacks to close, the upload form and the voids), the uploads it sends and the
downloads. The rules stay in services; handlers parse, call, respond."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import DomainError, InvalidInput, NotFound, answers_json
from ..extensions import csrf, db
from ..proposals.models import BudgetCategory, Meeting, Status
from ..proposals.services import get_meeting
from ..types import local_date, utcnow
from ..web.forms import flatten, form_dict
from ..web.panels import panel
from . import services
from .models import AttachmentKind
from .schemas import AttachmentArgs

bp = Blueprint("evidence_web", __name__, url_prefix="/meetings")

# Without script the form sends every chosen file in one request; with it
# (meetings/static/evidence.js) one file a request, each with its progress.
FILES_PER_FORM = 5
MULTIPART_ROOM = 64 * 1024


def _visible(meeting_id: int) -> Meeting:
    try:
        return get_meeting(current_user, meeting_id)
    except NotFound:
        abort(404)


@bp.before_request
def read_upload():
    """An upload's own size bound, set before its body is parsed. The app's
    CSRF check would parse it first, under the app's smaller limit: these
    endpoints are exempt from it and check the token here, after the bound."""
    if request.method == "POST" and request.endpoint in ("evidence_web.upload", "evidence_web.upload_one"):
        per_file = current_app.config["ATTACHMENT_MAX_BYTES"] + MULTIPART_ROOM
        request.max_content_length = per_file * (FILES_PER_FORM if request.endpoint.endswith("upload") else 1)
        try:
            request.files  # noqa: B018 — parsed now, under this bound
        except RequestEntityTooLarge:
            raise services.too_large() from None
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()


def _args() -> dict:
    """The form beside the files, through the API's schema; bad input is a
    422 naming the field."""
    try:
        return AttachmentArgs().load(form_dict(request.form))
    except Exception as exc:  # marshmallow's ValidationError
        raise InvalidInput(errors=flatten(getattr(exc, "messages", {})) or {"_": str(exc)}) from None


def _chosen_files():
    chosen = [f for f in request.files.getlist("file") if f and f.filename]
    if not chosen:
        raise InvalidInput(_("choose a photo or a PDF"), field="file")
    return chosen


@bp.route("/<int:meeting_id>/attachments", methods=["POST"])
@login_required
def upload(meeting_id: int):
    """The form without script: every chosen file with the same fields, all
    or none (a refusal rolls the request back and is shown)."""
    meeting = _visible(meeting_id)
    args, chosen = _args(), _chosen_files()
    if len(chosen) > FILES_PER_FORM:
        raise InvalidInput(_("at most %(n)s files at once", n=FILES_PER_FORM), field="file")
    for upload_ in chosen:
        services.add_attachment(current_user, meeting, upload_.stream, filename=upload_.filename, **args)
    flash(_("%(n)s file(s) attached.", n=len(chosen)), "success")
    return redirect(url_for("meetings_web.show_meeting", meeting_id=meeting_id, _anchor="evidence"))


@bp.route("/<int:meeting_id>/attachments/one", methods=["POST"])
@login_required
@answers_json  # the page's script sends one file a request and reads the answer
def upload_one(meeting_id: int):
    meeting = _visible(meeting_id)
    try:
        chosen, args = _chosen_files(), _args()
        attachment = services.add_attachment(current_user, meeting, chosen[0].stream,
                                             filename=chosen[0].filename, **args)
    except DomainError as exc:  # the script shows the message to a person: in words
        db.session.rollback()
        return exc.payload(), exc.http_status  # its message names fields by their labels
    return {"id": attachment.id, "filename": attachment.filename, "size": attachment.size}, 201


csrf.exempt(upload)
csrf.exempt(upload_one)


@bp.route("/<int:meeting_id>/attachments/<int:attachment_id>/file")
@login_required
def download(meeting_id: int, attachment_id: int):
    return services.download(_visible(meeting_id), attachment_id)


@bp.route("/<int:meeting_id>/attachments/<int:attachment_id>/void", methods=["POST"])
@login_required
def void(meeting_id: int, attachment_id: int):
    meeting = _visible(meeting_id)
    services.void_attachment(current_user, meeting, attachment_id, request.form.get("reason"))
    flash(_("The attachment was voided; it stays on record."), "success")
    return redirect(url_for("meetings_web.show_meeting", meeting_id=meeting_id, _anchor="evidence"))


@panel("meeting")
def evidence_panel(meeting: Meeting, user):
    if meeting.status not in services.OPEN_FOR:
        return None
    attachments = services.list_attachments(meeting)
    config = current_app.config
    return render_template(
        "evidence/_panel.html", meeting=meeting, attachments=attachments,
        gaps=services.evidence_gaps(meeting) if services.shows_gaps(meeting) else None,
        can_attach=services.can_attach_now(user, meeting), can_void=services.may_void(user, meeting),
        closed=meeting.status == Status.closed, kinds=list(AttachmentKind),
        categories=[c for c in BudgetCategory if c != BudgetCategory.speaker_fee],
        max_mb=round(config["ATTACHMENT_MAX_BYTES"] / 2**20, 1),
        max_count=config["ATTACHMENT_MAX_PER_MEETING"], today=local_date(utcnow()).isoformat())


