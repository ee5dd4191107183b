"""The export buttons of the meeting list and the meeting page: the same
exporters as the API, with the page's session login."""
from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from ..errors import NotFound
from ..extensions import db
from ..proposals.schemas import MeetingFilter
from ..proposals.services import get_meeting
from ..web.forms import form_dict, parse
from . import services
from .meetings import Attendance, MeetingList

bp = Blueprint("exports_web", __name__, url_prefix="/meetings")


def _send(exporter, fmt):
    if fmt not in services.FORMATS:
        abort(404)
    services.record_export(current_user, exporter, fmt)
    db.session.commit()
    return services.download(exporter, fmt)


@bp.route("/export.<fmt>")
@login_required
def export_meetings(fmt):
    args, _errors = parse(MeetingFilter(), form_dict(request.args))  # as the list page: bad filters are ignored
    return _send(MeetingList(current_user, args or {}), fmt)


@bp.route("/<int:meeting_id>/attendance.<fmt>")
@login_required
def export_attendance(meeting_id, fmt):
    try:
        meeting = get_meeting(current_user, meeting_id)
    except NotFound:
        abort(404)
    return _send(Attendance(meeting), fmt)
