"""Pages: the rep's follow-up list (phone first), grouped overdue / due today /
this week / later / done, the complete form, and for managers their
province's (region's) overdue tasks."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from ..labels import LABELS
from ..web.forms import attempt, form_dict
from ..web.nav import nav_item
from . import services
from .models import FollowUp, FollowUpStatus, Outcome
from .schemas import CompleteArgs

bp = Blueprint("followups_web", __name__, url_prefix="/followups")
nav_item("followups_web.list_followups", _l("Follow-ups"),
         roles={Role.rep, Role.provincial_manager, Role.regional_manager}, order=35)

DONE_SHOWN = 20
OVERSEEN_SHOWN = 200
MANAGERS = {Role.provincial_manager, Role.regional_manager, Role.admin, Role.marketing}
OUTCOME_LABELS = {outcome: LABELS["Outcome"][outcome.value] for outcome in Outcome}
GROUP_LABELS = {"overdue": _l("Overdue"), "today": _l("Due today"), "week": _l("This week"),
                "later": _l("Later"), "done": _l("Done")}


def _user():
    return current_user._get_current_object()


@bp.route("")
@login_required
def list_followups():
    user = _user()
    # ?meeting_id=: that meeting's whole follow-up week (as far as the user may
    # see it); otherwise the user's own tasks.
    meeting_id = request.args.get("meeting_id", type=int)
    mine = services.list_followups(user, assignee_id=None if meeting_id else user.id,
                                   meeting_id=meeting_id)
    open_tasks = db.session.scalars(mine.where(FollowUp.status == FollowUpStatus.open)).all()
    done = db.session.scalars(mine.where(FollowUp.status == FollowUpStatus.done)
                              .order_by(None).order_by(FollowUp.completed_at.desc(), FollowUp.id.desc())
                              .limit(DONE_SHOWN)).all()
    overseen = []
    if user.role in MANAGERS:
        overseen = db.session.scalars(services.list_followups(user, status="overdue")
                                      .where(FollowUp.assignee_id != user.id)
                                      .limit(OVERSEEN_SHOWN)).all()
    return render_template("followups/list.html", groups=services.groups([*open_tasks, *done]),
                           labels=GROUP_LABELS, overseen=overseen, oversees=user.role in MANAGERS,
                           today=services.today(),
                           person=services.person_name, kind=services.kind_label)


@bp.route("/<int:followup_id>", methods=["GET", "POST"])
@login_required
def show(followup_id):
    user = _user()
    task = services.get_followup(user, followup_id, for_update=request.method == "POST")
    errors, status = {}, 200
    form = {"outcome": task.outcome.value if task.outcome else "", "notes": task.notes or "",
            "question": ""}
    pending = services.questions_to_resolve(task) if task.assignee_id == user.id else []
    if request.method == "POST":
        form.update({k: request.form.get(k, "") for k in request.form if k != "csrf_token"})
        _done, errors = attempt(CompleteArgs(), _with_resolutions(request.form, pending),
                                lambda args: services.complete(user, task, **args))
        if not errors:
            flash(_("Follow-up recorded."), "success")
            return redirect(url_for("followups_web.list_followups"))
        status = 422
        task = services.get_followup(user, followup_id)
        pending = services.questions_to_resolve(task)
    return render_template("followups/show.html", task=task, errors=errors, form=form, pending=pending,
                           outcomes=OUTCOME_LABELS, may_complete=task.assignee_id == user.id,
                           overdue=services.is_overdue(task), person=services.person_name(task),
                           kind=services.kind_label(task.kind)), status


def _with_resolutions(posted, pending) -> dict:
    """The form's answers to "was it resolved?" (`resolved-<question id>`:
    true or false, `note-<question id>`) as the API's `resolutions`; a
    question left unanswered is left out, for the service to name."""
    data = {k: v for k, v in form_dict(posted).items() if not k.startswith(("resolved-", "note-"))}
    data["resolutions"] = [
        {"question_id": q.id, "resolved": posted.get(f"resolved-{q.id}"),
         **({"note": posted[f"note-{q.id}"].strip()} if posted.get(f"note-{q.id}", "").strip() else {})}
        for q in pending if posted.get(f"resolved-{q.id}") in ("true", "false")]
    return data
