"""GET /meetings/export.csv|.xlsx, /meetings/{id}/attendance.csv|.xlsx and
the calendar feed's URL."""
import marshmallow as ma
from marshmallow import fields

from ..dossier.meeting_schemas import MeetingFilter
from ..proposals.services import get_meeting
from ..rest import Blueprint, current_user
from . import calendar, services
from .meetings import Attendance, MeetingList

blp = Blueprint("exports", __name__, url_prefix="/api/v1/meetings",
                description="Exports (SPEC §9): CSV (UTF-8 with BOM) and XLSX, Chinese headers")
FILE = {"type": "string", "format": "binary"}


def _send(exporter, fmt):
    return services.logged_download(current_user(), exporter, fmt)


def _list_view(fmt):
    def view(args):
        return _send(MeetingList(current_user(), args), fmt)
    view.__name__ = f"export_meetings_{fmt}"
    view.__doc__ = f"Every meeting matching the list's filters, not paged, as {fmt.upper()}"
    return view


def _attendance_view(fmt):
    def view(meeting_id):
        return _send(Attendance(get_meeting(current_user(), meeting_id)), fmt)
    view.__name__ = f"export_attendance_{fmt}"
    view.__doc__ = f"One row per check-in that counts, as {fmt.upper()}"
    return view


for _fmt, _type in services.FORMATS.items():
    blp.route(f"/export.{_fmt}")(blp.arguments(MeetingFilter, location="query")(
        blp.response(200, FILE, content_type=_type.split(";")[0])(_list_view(_fmt))))
    blp.route(f"/<int:meeting_id>/attendance.{_fmt}")(
        blp.response(200, FILE, content_type=_type.split(";")[0])(_attendance_view(_fmt)))


# ---------------------------------------------------------------- calendar feed

calendar_blp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar",
                         description="The caller's private calendar feed (iCal, SPEC §9)")


class CalendarSchema(ma.Schema):
    url = fields.String(metadata={"description": "iCal feed (text/calendar); no login needed"})


@calendar_blp.route("")
@calendar_blp.response(200, CalendarSchema)
def calendar_url():
    """The feed's URL (made on first use)"""
    return {"url": calendar.feed_url(current_user())}


@calendar_blp.route("/reset", methods=["POST"])
@calendar_blp.response(200, CalendarSchema)
def reset_calendar():
    """A new URL; the old one answers 404 from now on"""
    return {"url": calendar.reset(current_user())}
