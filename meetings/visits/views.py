"""Pages (phone first): the rep's week — doctors due by grade, overdue in
red, the follow-up tasks of the week, each a tap from recording a visit —,
the visit form, and for managers planned / done / rate per rep."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.models import Role, User
from ..errors import DomainError
from ..extensions import db
from ..followups import services as followups
from ..followups.models import FollowUp
from ..labels import options
from ..types import to_local, utcnow
from ..web.forms import attempt, form_dict
from ..web.nav import nav_item
from . import plans, services
from .models import Stage, VisitOutcome
from .schemas import VisitArgs

bp = Blueprint("visits_web", __name__, url_prefix="/visits")
nav_item("visits_web.week", _l("My week"), roles={Role.rep, Role.provincial_manager, Role.regional_manager},
         order=34)

MANAGERS = {Role.provincial_manager, Role.regional_manager, Role.admin, Role.marketing}
GRADES = ("A", "B", "C", "D")
TASKS_SHOWN = 50  # the rest on the follow-ups page
FORM_FIELDS = ("doctor_id", "visited_at", "minutes", "purpose", "key_message", "expected_objection",
               "next_step", "outcome", "stage", "notes", "question")


def _user() -> User:
    return current_user._get_current_object()


def _monday():
    try:
        return services.parse_week(request.args.get("week") or None)
    except DomainError:
        abort(404)


@bp.route("/week")
@login_required
def week():
    """The user's week (or, for a manager, `rep_id`'s), and a manager's
    table of planned / done / rate per rep."""
    user = _user()
    monday = _monday()
    sunday = monday + timedelta(days=6)
    rep_id = request.args.get("rep_id", type=int)
    try:
        rows = services.plan_for(user, monday, rep_id)
    except DomainError:
        abort(404)
    whose = db.session.get(User, rep_id) if rep_id else user
    due = [row for row in rows if row["due"]]
    by_grade = {grade: [row for row in due if row["grade"] == grade] for grade in GRADES}
    tasks = []
    if whose.id == user.id:  # the user's own follow-ups falling due by the week's end
        tasks = db.session.scalars(
            followups.list_followups(user, assignee_id=user.id, status="open")
            .where(FollowUp.not_before <= sunday).limit(TASKS_SHOWN + 1)).all()
    report = services.visit_report(user, monday) if user.role in MANAGERS and not rep_id else []
    activities = plans.activities_due(whose.id, monday, sunday)
    return render_template(
        "visits/week.html", monday=monday, sunday=sunday, week=services.week_text(monday),
        previous=services.week_text(monday - timedelta(days=7)), next=services.week_text(monday + timedelta(days=7)),
        by_grade=by_grade, planned=len(due), done=sum(1 for row in due if row["done"]), whose=whose,
        own=whose.id == user.id, tasks=tasks[:TASKS_SHOWN], more_tasks=len(tasks) > TASKS_SHOWN, report=report,
        activities=activities, manager=user.role in MANAGERS,
        today=followups.today(), person=followups.person_name, kind=followups.kind_label,
        may_visit=user.role in services.VISITORS)


def _prefill(user: User, doctor_id: int | None) -> dict:
    """A new visit's form: now, 20 minutes, and the call plan carried on from
    the last visit — its next step is this visit's purpose."""
    form = {name: "" for name in FORM_FIELDS}
    form.update(visited_at=to_local(utcnow()).strftime("%Y-%m-%dT%H:%M"), minutes="20", outcome="",
                stage="", doctor_id=str(doctor_id or ""))
    last = services.last_visit_of(user, doctor_id) if doctor_id else None
    if last is not None:
        form.update(purpose=last.next_step or "", key_message=last.key_message or "",
                    expected_objection=last.expected_objection or "", stage=last.stage.value)
    return form, last


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    user = _user()
    if user.role not in services.VISITORS:
        abort(403)
    doctor_id = request.values.get("doctor_id", type=int)
    form, last = _prefill(user, doctor_id)
    errors, status = {}, 200
    if request.method == "POST":
        form.update({k: request.form.get(k, "") for k in FORM_FIELDS})
        _done, errors = attempt(VisitArgs(), form_dict(request.form),
                                lambda args: services.create_visit(user, **args))
        if not errors:
            flash(_("Visit recorded."), "success")
            return redirect(url_for("visits_web.week"))
        status = 422
    doctor = None
    if doctor_id:
        try:
            doctor = services.visitable_doctor(user, doctor_id)
        except DomainError:
            doctor = None
    choices = []
    if doctor is None:  # pick one of the plan's doctors
        choices = services.plan_rows([user.id], services.parse_week(None))
    return render_template("visits/new.html", form=form, errors=errors, doctor=doctor, last=last,
                           choices=choices, outcomes=options(VisitOutcome), stages=options(Stage),
                           low=services.MINUTES_MIN, high=services.MINUTES_MAX), status


@bp.route("/<int:visit_id>")
@login_required
def show(visit_id):
    visit = services.get_visit(_user(), visit_id)
    return render_template("visits/show.html", visit=visit)


@bp.route("/plans/<int:plan_id>/activities/<int:activity_id>/done", methods=["POST"])
@login_required
def activity_done(plan_id, activity_id):
    user = _user()
    plans.mark_done(user, plans.get_plan(user, plan_id), activity_id)
    flash(_("Activity ticked."), "success")
    return redirect(url_for("visits_web.week", week=request.args.get("week")))
