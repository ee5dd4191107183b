"""Pages: the flags panel on the meeting page (raise, answer, resolve).
Each handler calls one service; the boundary commits."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..proposals.services import get_meeting
from ..web.forms import attempt, form_dict
from ..web.panels import panel
from . import services
from .schemas import FlagAnswerArgs, FlagArgs

bp = Blueprint("flags_web", __name__, url_prefix="/meetings")


def _user():
    return current_user._get_current_object()


@panel("meeting")
def flags_panel(meeting, user):
    flags = services.flags_of(meeting)
    may_raise = services.may_raise(user)
    if not flags and not may_raise:
        return None
    return render_template("flags/_panel.html", meeting=meeting, flags=flags, may_raise=may_raise,
                           may_answer=services.may_answer(user, meeting))


def _back(meeting_id: int):
    return redirect(url_for("meetings_web.show_meeting", meeting_id=meeting_id) + "#flags")


def _refused(errors: dict) -> None:
    for message in errors.values():
        flash(message if isinstance(message, str) else "; ".join(map(str, message)), "danger")


@bp.route("/<int:meeting_id>/flags", methods=["POST"])
@login_required
def raise_flag(meeting_id: int):
    user = _user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    _done, errors = attempt(FlagArgs(), form_dict(request.form),
                            lambda args: services.raise_flag(user, meeting, **args))
    if errors:
        _refused(errors)
    else:
        flash(_("The meeting is flagged; its owner and the provincial manager are told."), "success")
    return _back(meeting_id)


@bp.route("/<int:meeting_id>/flags/<int:flag_id>/answer", methods=["POST"])
@login_required
def answer_flag(meeting_id: int, flag_id: int):
    user = _user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    flag = services.get_flag(meeting, flag_id, for_update=True)
    _done, errors = attempt(FlagAnswerArgs(), form_dict(request.form),
                            lambda args: services.answer(user, meeting, flag, **args))
    if errors:
        _refused(errors)
    else:
        flash(_("Your answer was sent to compliance."), "success")
    return _back(meeting_id)


@bp.route("/<int:meeting_id>/flags/<int:flag_id>/resolve", methods=["POST"])
@login_required
def resolve_flag(meeting_id: int, flag_id: int):
    user = _user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    services.resolve(user, meeting, services.get_flag(meeting, flag_id, for_update=True))
    flash(_("The flag is resolved."), "success")
    return _back(meeting_id)
