"""Sign-in pages (SPEC §5).

`checkin`: the public QR page a doctor opens on their own phone. It has no
account; the unguessable token is the key, and anything wrong answers 404.
CSRF stays on: the form carries the session's CSRF token beside a one-time
nonce, so a double tap or a resubmitted form signs in once.

`checkin_staff`: the page staff sign people in from, for those who run the
meeting. Taps go through a queue in the browser (localStorage) with a nonce
and the original time each, and are posted as JSON (CSRF token in the
X-CSRFToken header) to the same service as the API.
"""
from __future__ import annotations

import secrets

from flask import (Blueprint, flash, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from ..doctors.models import Title
from ..database import commit_throttle_count
from ..errors import Conflict, DomainError, InvalidInput, answers_json
from ..labels import field_message
from ..extensions import db
from ..pdf.base import pdf_response
from ..labels import label as words
from ..proposals.services import get_meeting
from ..links import external_url
from ..types import to_local
from ..proposals.labels import status_text
from ..web.forms import attempt, form_dict
from . import services
from .models import CheckIn
from .schemas import AttendanceSchema, CheckInArgs, CheckInSchema, VoidArgs
from .signin_sheet import render

bp = Blueprint("checkin", __name__)
staff_bp = Blueprint("checkin_staff", __name__, url_prefix="/meetings")
# pages show sign-in buttons disabled, with the time, until sign-in opens (issue 25, item 6)
staff_bp.add_app_template_global(services.sign_in_opens_at, "sign_in_opens")

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex"}


# ---------------------------------------------------------------- public QR page

# What the QR form may set: the API's check-in arguments less the staff's
# (source, checked_in_at), which a crafted post must not reach.
SELF_CHECKIN_FIELDS = ("doctor_id", "name", "title", "nonce", "meal_opt_in", "signature")


def self_checkin_form(form) -> tuple[dict, dict]:
    """The QR form as the API's check-in arguments, and the values to show
    again. "I am not on the list" (doctor_id=walk-in) sends the typed name and
    title; a name picked from the list sends neither."""
    data = form_dict(form, booleans=("meal_opt_in",))
    walk_in = data.get("doctor_id") == "walk-in"
    if walk_in:
        del data["doctor_id"]
    else:
        for key in ("name", "title"):
            data.pop(key, None)
    return data, ({**data, "walk_in": True} if walk_in else dict(data))


def _public_refusal(exc: DomainError):
    """The QR page's own answers outside its window or past a limit: no app
    menu, and for a wrong token (404) not a word about any meeting. (An error
    answer: the request's one commit rolls back what it began.)"""
    headers = {**NO_STORE, **(exc.headers() if hasattr(exc, "headers") else {})}
    message = exc.text() if exc.http_status != 404 else _("This sign-in page does not exist.")
    return render_template("checkin/closed.html", message=message), exc.http_status, headers


def _self_page(meeting, token, errors=None, values=None, status=200):
    body = render_template("checkin/self.html", meeting=meeting, token=token,
                           choices=services.self_checkin_choices(meeting),
                           titles=[(t.value, words(t)) for t in Title],  # in the reader's language
                           nonce=(values or {}).get("nonce") or secrets.token_urlsafe(12),
                           errors=errors or {}, values=values or {})
    return body, status, NO_STORE


@bp.route("/checkin/<token>")
def self_checkin(token: str):
    try:
        return _self_page(services.meeting_for_token(token), token)
    except DomainError as exc:
        return _public_refusal(exc)


@bp.route("/checkin/<token>", methods=["POST"])
def self_checkin_post(token: str):
    try:
        services.note_self_attempt(request.remote_addr)
        commit_throttle_count()
    except DomainError as exc:
        return _public_refusal(exc)
    data, values = self_checkin_form(request.form)
    try:  # the service reads the meeting (and the invitee) once: no lookup here before it
        checkin_id, errors = attempt(
            CheckInArgs(only=SELF_CHECKIN_FIELDS), data,
            lambda args: services.self_check_in(token, **args)[0].id,  # the id: read before the commit
            refused=(InvalidInput, Conflict))
    except DomainError as exc:  # not open yet, closed, throttled, gone: the page's own answers
        return _public_refusal(exc)
    if errors:
        return _self_page_again(token, errors, values)
    session["checked_in"] = checkin_id
    return redirect(url_for("checkin.self_checkin_done", token=token), 303)


def _self_page_again(token: str, errors: dict, values: dict):
    """The form once more with what was wrong (422), while the page is open."""
    try:
        return _self_page(services.meeting_for_token(token), token, errors, values, 422)
    except DomainError as exc:
        return _public_refusal(exc)


@bp.route("/checkin/<token>/thanks")
def self_checkin_done(token: str):
    try:
        meeting = services.meeting_for_token(token)
    except DomainError as exc:
        return _public_refusal(exc)
    checkin = db.session.get(CheckIn, session.get("checked_in") or 0)
    if checkin is None or checkin.meeting_id != meeting.id:
        return redirect(url_for("checkin.self_checkin", token=token))
    return render_template("checkin/thanks.html", meeting=meeting, checkin=checkin), 200, NO_STORE


# ---------------------------------------------------------------- staff page

def _state(meeting) -> dict:
    return {"attendance": AttendanceSchema().dump(services.attendance(meeting)),
            "checkins": CheckInSchema(many=True).dump(services.list_checkins(meeting))}


@staff_bp.route("/<int:meeting_id>/sign-in")
@login_required
def staff_page(meeting_id: int):
    meeting = services.meeting_to_run(current_user, meeting_id)
    opens_at = services.sign_in_opens_at(meeting)
    checkins = services.list_checkins(meeting)
    by_doctor = {c.doctor_id: c for c in checkins if c.doctor_id is not None}
    url = external_url("checkin.self_checkin", token=meeting.checkin_token)
    return render_template(
        "checkin/staff.html", meeting=meeting, invitees=sorted(meeting.invitees, key=_invitee_order),
        by_doctor=by_doctor, walk_ins=[c for c in checkins if c.invitee_id is None],
        all_checkins=services.list_checkins(meeting, voided=True), status_text=status_text,
        paper_open=meeting.status in services.OPEN_FOR[services.Source.paper],
        figures=services.attendance(meeting), checkin_url=url, qr_svg=_qr_svg(url),
        titles=[(t.value, words(t)) for t in Title], title_label=words,  # in the reader's language
        frequent=services.recent_attendance(meeting),
        open=meeting.status in services.OPEN_FOR[services.Source.staff] and opens_at is None,
        opens_at=opens_at)


def _invitee_order(invitee):
    return (invitee.role.value != "primary", invitee.doctor.name)


def _qr_svg(url: str) -> str:
    import segno
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


@staff_bp.route("/<int:meeting_id>/sign-in/checkins", methods=["POST"])
@login_required
@answers_json
def staff_check_in(meeting_id: int):
    meeting = get_meeting(current_user, meeting_id)  # the service says who signs people in
    args = CheckInArgs().load(request.get_json(silent=True) or {})  # errors: JSON (meetings/errors.py)
    checkin, created = services.check_in(current_user, meeting, **args)
    return jsonify({"checkin": CheckInSchema().dump(checkin), "created": created,
                    **_state(meeting)}), 201 if created else 200


@staff_bp.route("/<int:meeting_id>/sign-in/paper", methods=["POST"])
@login_required
def paper_entry(meeting_id: int):
    """A line of the signed paper sheet, typed in with the time written on it."""
    meeting = get_meeting(current_user, meeting_id)
    data = {**form_dict(request.form, booleans=("meal_opt_in", "same_name_ok")), "source": "paper"}
    _checkin, errors = attempt(CheckInArgs(), data,
                               lambda args: services.check_in(current_user, meeting, **args))
    _flash_outcome(errors, _("Paper sign-in added."))
    return redirect(url_for(".staff_page", meeting_id=meeting_id), 303)


@staff_bp.route("/<int:meeting_id>/sign-in/checkins/<int:checkin_id>/void", methods=["POST"])
@login_required
def void_checkin(meeting_id: int, checkin_id: int):
    meeting = get_meeting(current_user, meeting_id)
    form = form_dict(request.form)
    if form.get("confirm") != "yes" and form.get("reason"):
        # a void cannot be undone: asked once more on a page of its own
        checkin = services.get_checkin(meeting, checkin_id)
        return render_template(
            "confirm.html", heading=_("Void this sign-in?"), confirm_label=_("Yes, void the sign-in"),
            warning=_("This cannot be undone: the sign-in stays on record but leaves the figures, and "
                      "the person would have to sign in again."),
            subject=f"{checkin.name} · {to_local(checkin.checked_in_at):%H:%M} · {form['reason']}",
            action=url_for(".void_checkin", meeting_id=meeting_id, checkin_id=checkin_id),
            fields={"reason": form["reason"]}, back=url_for(".staff_page", meeting_id=meeting_id))
    form.pop("confirm", None)
    _checkin, errors = attempt(VoidArgs(), form, lambda args: services.void_checkin(
        current_user, meeting, checkin_id, args["reason"]))
    _flash_outcome(errors, _("Check-in void."))
    return redirect(url_for(".staff_page", meeting_id=meeting_id), 303)


def _flash_outcome(errors: dict, done: str) -> None:
    if errors:
        for field, message in errors.items():
            flash(field_message(field, message), "danger")
    else:
        flash(done, "success")


@staff_bp.route("/<int:meeting_id>/sign-in/state")
@login_required
@answers_json
def staff_state(meeting_id: int):
    return jsonify(_state(services.meeting_to_run(current_user, meeting_id)))


@staff_bp.route("/<int:meeting_id>/sign-in/sheet.pdf")
@login_required
def staff_sheet(meeting_id: int):
    meeting = get_meeting(current_user, meeting_id)
    return pdf_response(render(meeting), f"sign-in-sheet-{meeting.id}.pdf")
