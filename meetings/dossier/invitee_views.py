"""The invitee list's forms on the meeting page (SPEC §4): add, remove,
confirm, decline. Each parses, calls one service and goes back (the request's
one commit: database.finish_request); adding goes through the pages' one form round trip
(web.forms.attempt), other refusals are flashed by the global handler."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..labels import field_message
from ..proposals.services import get_meeting
from ..web.forms import attempt, form_dict
from ..invitees import services
from .invitee_schemas import InviteeArgs

bp = Blueprint("invitees_web", __name__, url_prefix="/meetings")


def _back(meeting_id: int):
    return redirect(url_for("meetings_web.show_meeting", meeting_id=meeting_id) + "#invitees")


@bp.route("/<int:meeting_id>/invitees", methods=["POST"])
@login_required
def add_invitee(meeting_id: int):
    meeting = get_meeting(current_user, meeting_id, for_update=True)
    invitee, errors = attempt(InviteeArgs(), form_dict(request.form),  # ids to integers by the schema
                              lambda args: services.add_invitee(current_user, meeting, **args))
    # The form lives on the meeting page: its errors come back there as
    # messages, in words (the field's label, never its key).
    for field, message in errors.items():
        flash(field_message(field, message), "danger")
    if not errors:
        flash(_("%(name)s was added to the list.", name=invitee.doctor.name), "success")
    return _back(meeting_id)


@bp.route("/<int:meeting_id>/invitees/<int:invitee_id>/remove", methods=["POST"])
@login_required
def remove_invitee(meeting_id: int, invitee_id: int):
    meeting = get_meeting(current_user, meeting_id, for_update=True)
    services.remove_invitee(current_user, meeting, services.get_invitee(meeting, invitee_id))
    flash(_("The invitee was removed."), "success")
    return _back(meeting_id)


@bp.route("/<int:meeting_id>/invitees/<int:invitee_id>/<any(confirm,decline):action>",
          methods=["POST"])
@login_required
def answer(meeting_id: int, invitee_id: int, action: str):
    meeting = get_meeting(current_user, meeting_id, for_update=True)
    change = services.confirm if action == "confirm" else services.decline
    invitee = change(current_user, meeting, services.get_invitee(meeting, invitee_id))
    flash(_("%(name)s confirmed.", name=invitee.doctor.name) if action == "confirm"
          else _("%(name)s declined.", name=invitee.doctor.name), "success")
    return _back(meeting_id)
