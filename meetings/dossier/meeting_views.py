"""Pages for proposals and their approval (SPEC §3). Each handler parses the
form with the API's schema, calls one service, commits and responds; the
rules (who may do what, the sizing warnings, the caps) stay in services."""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from ..auth.models import Role
from ..errors import DomainError, NotFound, answers_json
from ..extensions import db
from ..labels import LABELS, humanize
from ..web.forms import attempt, flatten, form_dict, integers, parse
from ..web.nav import nav_item
from ..agenda import services as agenda
from ..checkin import services as checkin
from ..doctors.services import grade_of, is_key
from ..invitees import services as invitees
from ..pdf.base import pdf_response
from ..proposals import services
from .invitee_schemas import InviteeSchema
from .proposal_form import render
from .warnings import meeting_warnings
from ..proposals.models import Audience, BudgetCategory, Format, Meeting, Purpose, Status
from .meeting_schemas import BudgetLineArgs, MeetingArgs, MeetingFilter, MeetingPatchArgs, MeetingSchema

def list_page_loading() -> tuple:
    """What a list of meetings shows (templates/meetings/_macros.html
    meeting_rows), loaded for the whole page at once."""
    return (selectinload(Meeting.hospital), selectinload(Meeting.department),
            selectinload(Meeting.owner), selectinload(Meeting.budget_lines))

bp = Blueprint("meetings_web", __name__, url_prefix="/meetings")
nav_item("meetings_web.list_meetings", _l("Meetings"), order=10)
nav_item("meetings_web.inbox", _l("Approvals"),
         roles={Role.provincial_manager, Role.regional_manager}, order=20)
nav_item("meetings_web.new_meeting", _l("New proposal"),
         roles={Role.rep, Role.provincial_manager}, order=30)

# The buttons of the meeting page; the words for codes are in meetings/labels.py.
ACTIONS = {
    "submit": _l("Submit"), "approve": _l("Approve"),
    "return": _l("Return for changes"), "reject": _l("Reject"), "cancel": _l("Cancel meeting"),
    "start": _l("Start the meeting"), "finish": _l("Finish the meeting"), "close": _l("Close the file"),
}
DONE = {
    "submit": _l("The proposal was submitted."), "approve": _l("The proposal was approved."),
    "return": _l("The proposal was returned to its owner."), "reject": _l("The proposal was rejected."),
    "cancel": _l("The meeting was cancelled."), "start": _l("The meeting has started."),
    "finish": _l("The meeting is marked as held."), "close": _l("The meeting was closed."),
}
PRECONDITIONS = ("supply_channel_open", "department_head_agreed", "relations_ok")


@bp.context_processor
def labels():
    return {"actions_text": ACTIONS, "preconditions": LABELS["precondition"], "Status": Status,
            "BudgetCategory": BudgetCategory, "Purpose": Purpose, "Audience": Audience,
            "Format": Format, "grade_of": grade_of, "is_key": is_key}


# ---------------------------------------------------------------- form parsing

def meeting_form_data(form) -> tuple[dict, list[str]]:
    """The proposal form as the API's JSON shape; also the budget categories in
    line order, to put a line's error back on its row."""
    flat = form_dict(form, lists=("staff_ids",), booleans=PRECONDITIONS)
    lines, order = [], []
    for category in BudgetCategory:
        amount = flat.pop(f"amount_{category.value}", None)
        note = flat.pop(f"note_{category.value}", None)
        if amount is not None:
            lines.append({"category": category.value, "amount": amount,
                          **({"note": note} if note else {})})
            order.append(category.value)
    data = {key: value for key, value in flat.items() if key not in PRECONDITIONS}
    data["staff_ids"] = flat.get("staff_ids", [])
    data["budget"] = {"lines": lines}
    data["preconditions"] = {key: flat[key] for key in PRECONDITIONS}
    return data, order


def form_errors(errors: dict[str, str], order: list[str]) -> dict[str, str]:
    """Schema error keys (`budget.lines.0.amount`) as form field names (`amount_meals`)."""
    out = {}
    for key, message in errors.items():
        match = re.match(r"^budget\.lines\.(\d+)\.(amount|note|category)$", key)
        if match and int(match.group(1)) < len(order):
            key = f"{match.group(2)}_{order[int(match.group(1))]}"
        elif key.startswith("preconditions."):
            key = key.split(".", 1)[1]
        out[key] = message
    return out


def _form_values(meeting: Meeting | None) -> dict:
    """What the form shows: the meeting's values, or the defaults of a new one."""
    if meeting is None:
        return {"staff_ids": [], "budget": {"lines": []},
                "preconditions": dict.fromkeys(PRECONDITIONS, False)}
    return MeetingSchema().dump(meeting)


def _render_form(meeting: Meeting | None, values: dict, errors: dict, status: int = 200):
    amounts = {line["category"]: line for line in values.get("budget", {}).get("lines", [])}
    return render_template(
        "meetings/form.html", meeting=meeting, values=values, amounts=amounts, errors=errors,
        hospitals=services.proposal_hospitals(current_user),
        people=services.colleagues(current_user)), status


def _save(meeting: Meeting | None):
    """Create or update through the API's schema; bad input or any refusal
    shows the form again with the values as typed, the errors beside their
    fields and the refusal's status."""
    def save(args) -> int:  # the id: read before the commit expires the meeting
        if meeting is None:
            return services.create_meeting(current_user, **args).id
        return services.update_meeting(current_user, meeting, **args).id

    data, order = meeting_form_data(request.form)
    saved_id, errors = attempt(MeetingArgs(), data, save, refused=(DomainError,))
    if errors:
        return _render_form(meeting, data, form_errors(errors, order), errors.status)
    flash(_("The proposal was saved."), "success")
    return redirect(url_for("meetings_web.show_meeting", meeting_id=saved_id))


# ---------------------------------------------------------------- pages

def _visible_meeting(meeting_id: int, for_update: bool = False) -> Meeting:
    """A page of a meeting the user may not see is a plain 404 (SPEC §1),
    not the flash-and-go-back of other refusals."""
    try:
        return services.get_meeting(current_user, meeting_id, for_update=for_update)
    except NotFound:
        abort(404)


@bp.route("")
@login_required
def list_meetings():
    args, _errors = parse(MeetingFilter(), form_dict(request.args))
    args = args or {}
    status = args.get("status")
    query = services.search_meetings(current_user, **args, newest_first=True)
    page = db.paginate(query.options(*list_page_loading()), per_page=50, error_out=False)
    return render_template("meetings/list.html", page=page, meetings=page.items, status=status,
                           filters={k: v for k, v in request.args.items()
                                    if k in ("status", "province_id", "from", "to") and v})


@bp.route("/inbox")
@login_required
def inbox():
    meetings = db.session.scalars(services.approval_inbox(current_user).options(*list_page_loading())).all()
    return render_template("meetings/inbox.html", meetings=meetings)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_meeting():
    if request.method == "POST":
        return _save(None)
    return _render_form(None, _form_values(None), {})


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    meeting = _visible_meeting(meeting_id, for_update=request.method == "POST")
    if not services.can_edit(current_user, meeting):
        flash(_("Only the owner edits a draft proposal."), "warning")
        return redirect(url_for("meetings_web.show_meeting", meeting_id=meeting.id))
    if request.method == "POST":
        return _save(meeting)
    return _render_form(meeting, _form_values(meeting), {})


@bp.route("/preview", methods=["POST"])
@login_required
@answers_json  # the form's script reads it; its errors (a stale CSRF token) are JSON too
def preview():
    """The form's live figures: JSON {total, warnings, errors}; nothing is saved."""
    data, order = meeting_form_data(request.form)
    schema = MeetingPatchArgs()
    try:
        args, errors = schema.load(integers(schema, data)), {}
    except ValidationError as exc:
        args, errors = exc.valid_data or {}, flatten(exc.messages)
        if "budget" not in args:  # one bad amount: the other lines still count
            args["budget"] = {"lines": [line for line in (_load(BudgetLineArgs(), line)
                                                          for line in data["budget"]["lines"]) if line]}
    result = services.preview(current_user, **args)
    return {"total": str(result["total"]), "warnings": [humanize(w) for w in result["warnings"]],
            "errors": form_errors({**result["errors"], **errors}, order)}


def _load(schema, data):
    try:
        return schema.load(data)
    except ValidationError:
        return None


@bp.route("/<int:meeting_id>")
@login_required
def show_meeting(meeting_id: int):
    meeting = _visible_meeting(meeting_id)
    on_the_day = meeting.status in (Status.in_progress, Status.held, Status.summarized, Status.closed)
    actions = services.allowed_actions(current_user, meeting)
    return render_template(
        "meetings/detail.html", meeting=meeting, Status=Status,
        runs=services.runs_meeting(current_user, meeting),
        attendance=checkin.attendance(meeting) if on_the_day else None,
        to_reconfirm=invitees.to_reconfirm(meeting) if meeting.status == Status.approved else [],
        unticked=agenda.unticked(meeting) if meeting.status == Status.approved else [],
        checklist_label=agenda.label_of,
        invitees=InviteeSchema(many=True).dump(invitees.list_invitees(meeting)),
        warnings=meeting_warnings(meeting),
        actions=actions,
        # SPEC §12: every gap that keeps the file open, before the button is pressed
        close_gaps=services.close_gaps(meeting) if "close" in actions else {},
        can_edit=services.can_edit(current_user, meeting),
        manage_invitees=invitees.can_manage(current_user, meeting),
        doctors=(doctors := invitees.invitable_doctors(meeting)
                 if invitees.can_manage(current_user, meeting) else []),
        year_spend=invitees.year_spend(meeting, doctors), annual_cap=current_app.config["DOCTOR_ANNUAL_CAP"])


@bp.route("/<int:meeting_id>/proposal.pdf")
@login_required
def proposal_pdf(meeting_id: int):
    """The printable proposal for the approval file."""
    meeting = _visible_meeting(meeting_id)
    return pdf_response(render(meeting), f"proposal-{meeting.id}.pdf")


@bp.route("/<int:meeting_id>/<any(submit,approve,return,reject,cancel,start,finish,close):action>",
          methods=["POST"])
@login_required
def act(meeting_id: int, action: str):
    comment = (request.form.get("comment") or "").strip() or None
    if action == "finish" and request.form.get("confirm") != "yes":
        # finishing closes sign-in and schedules the follow-up week: asked once more
        flash(_("Tick “the meeting is over” to finish it."), "warning")
        return redirect(url_for("meetings_web.show_meeting", meeting_id=meeting_id))
    meeting = services.perform(current_user, meeting_id, action, comment)  # DomainError: flashed, back
    if action == "approve" and meeting.status == Status.pending_regional:
        flash(_("Approved on your level; above the province's limit (or your own proposal), "
                "it now awaits the regional manager."), "info")
    else:
        flash(DONE[action], "success")
    return redirect(url_for("meetings_web.show_meeting", meeting_id=meeting_id))
