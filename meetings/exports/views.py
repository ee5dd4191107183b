"""The export buttons of the meeting list and the meeting page: the same
exporters as the API, with the page's session login."""
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..errors import NotFound
from ..dossier.meeting_schemas import MeetingFilter
from ..proposals.services import get_meeting
from ..web.forms import form_dict, parse
from ..web.nav import nav_item
from . import calendar, services
from .meetings import Attendance, MeetingList

bp = Blueprint("exports_web", __name__)
nav_item("exports_web.calendar_page", _l("Calendar"), order=90)


def _send(exporter, fmt):
    if fmt not in services.FORMATS:
        abort(404)
    return services.logged_download(current_user, exporter, fmt)


@bp.route("/meetings/export.<fmt>")
@login_required
def export_meetings(fmt):
    args, _errors = parse(MeetingFilter(), form_dict(request.args))  # as the list page: bad filters are ignored
    return _send(MeetingList(current_user, args or {}), fmt)


@bp.route("/meetings/<int:meeting_id>/attendance.<fmt>")
@login_required
def export_attendance(meeting_id, fmt):
    try:
        meeting = get_meeting(current_user, meeting_id)
    except NotFound:
        abort(404)
    return _send(Attendance(meeting, absent=True), fmt)  # the pages': who did not come too


# ---------------------------------------------------------------- calendar feed

@bp.route("/calendar")
@login_required
def calendar_page():
    url = calendar.feed_url(current_user)
    # webcal:// opens the phone's or desktop's calendar app, subscribed (not a one-off import)
    return render_template("exports/calendar.html", url=url, webcal=re.sub(r"^https?://", "webcal://", url))


@bp.route("/calendar/reset", methods=["POST"])
@login_required
def reset_calendar():
    calendar.reset(current_user)
    flash(_("Your calendar has a new address; the old one no longer works."), "success")
    return redirect(url_for("exports_web.calendar_page"))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token):
    """Public: the token is the key. Anything wrong is a plain 404."""
    try:
        user = calendar.user_for_token(token)
    except NotFound:
        abort(404)
    return Response(calendar.ical(user), content_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store",
                             "Content-Disposition": 'inline; filename="meetings.ics"'})
