"""Pages: the agenda editor, the run-of-show with its running clock, and the
materials checklist. Parse with the API's schemas, call one service, commit."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..proposals.services import get_meeting
from ..types import utcnow
from ..web.forms import attempt
from . import services
from .models import SegmentKind
from .schemas import AgendaArgs, ChecklistArgs

bp = Blueprint("agenda_web", __name__, url_prefix="/meetings")

BLANK_ROWS = 2
QUIZ_SEPARATOR = re.compile(r"\s*[|｜]\s*")


def _user():
    return current_user._get_current_object()


def rows_from_form(form) -> tuple[list[dict], list[int]]:
    """`segments-<i>-kind/title/planned_minutes/quiz` → the API's segment list
    (blank rows left out), and the form row of each segment, so errors land on
    the row they belong to. Quiz lines read `question | answer`."""
    indices = sorted({int(m.group(1)) for key in form
                      if (m := re.fullmatch(r"segments-(\d+)-\w+", key))})
    segments, rows = [], []
    for i in indices:
        get = lambda name, i=i: (form.get(f"segments-{i}-{name}") or "").strip()  # noqa: E731
        if not get("title") and not get("planned_minutes"):
            continue
        segment = {"kind": get("kind"), "title": get("title"),
                   "planned_minutes": get("planned_minutes") or None}  # to an int by web.forms.integers
        quiz = [QUIZ_SEPARATOR.split(line, maxsplit=1) for line in get("quiz").splitlines()
                if line.strip()]
        segment["quiz"] = [{"question": parts[0], "answer": parts[1] if len(parts) > 1 else ""}
                           for parts in quiz]
        segments.append(segment)
        rows.append(i)
    return segments, rows


def _on_rows(errors: dict, rows: list[int]) -> dict:
    """Errors keyed `segments.<n>.field` → `segments-<row>-field` of the form."""
    out = {}
    for key, message in errors.items():
        m = re.match(r"segments\.(\d+)\.(\w+)", key)
        if m and int(m.group(1)) < len(rows):
            out[f"segments-{rows[int(m.group(1))]}-{m.group(2)}"] = message
        else:
            out[key] = message
    return out


def _form_rows(segments) -> list[dict]:
    rows = [{"kind": s.kind.value, "title": s.title, "planned_minutes": s.planned_minutes or "",
             "quiz": "\n".join(f"{q.question} | {q.answer}" for q in s.quiz)} for s in segments]
    return rows + [{"kind": "", "title": "", "planned_minutes": "", "quiz": ""}] * BLANK_ROWS


@bp.route("/<int:meeting_id>/agenda", methods=["GET", "POST"])
@login_required
def edit_agenda(meeting_id):
    user = _user()
    meeting = get_meeting(user, meeting_id, for_update=request.method == "POST")
    editable = services.may_plan(user, meeting)
    errors, status = {}, 200
    if request.method == "POST":
        segments, form_rows = rows_from_form(request.form)
        _done, errors = attempt(AgendaArgs(), {"segments": segments},
                                lambda args: services.replace_agenda(user, meeting, **args))
        if not errors:
            flash(_("Agenda saved."), "success")
            return redirect(url_for("agenda_web.edit_agenda", meeting_id=meeting_id))
        errors, status = _on_rows(errors, form_rows), 422
        rows = [{"kind": request.form.get(f"segments-{i}-kind", ""),
                 "title": request.form.get(f"segments-{i}-title", ""),
                 "planned_minutes": request.form.get(f"segments-{i}-planned_minutes", ""),
                 "quiz": request.form.get(f"segments-{i}-quiz", "")}
                for i in range(len([k for k in request.form if k.endswith("-title")]))]
        meeting = get_meeting(user, meeting_id)
    else:
        rows = _form_rows(services.agenda(meeting))
    report = services.run_report(meeting)
    return render_template("agenda/edit.html", meeting=meeting, rows=rows, report=report,
                           kinds=list(SegmentKind), errors=errors, editable=editable), status


@bp.route("/<int:meeting_id>/run")
@login_required
def run(meeting_id):
    user = _user()
    meeting = get_meeting(user, meeting_id)
    report = services.run_report(meeting)
    return render_template("agenda/run.html", meeting=meeting, report=report, now=utcnow(),
                           timed_now=services.timed_now(meeting), may_run=services.may_time(user, meeting))


@bp.route("/<int:meeting_id>/run/<int:segment_id>/<any(start, finish):action>", methods=["POST"])
@login_required
def segment_action(meeting_id, segment_id, action):
    user = _user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    func = services.start_segment if action == "start" else services.finish_segment
    func(user, meeting, services.get_segment(meeting, segment_id))
    return redirect(url_for("agenda_web.run", meeting_id=meeting_id))


def checklist_from_form(form) -> dict:
    items = []
    for raw in form.getlist("item"):  # the ids: to ints (or refused) by web.forms.integers and the schema
        if form.get(f"remove-{raw}"):
            continue
        items.append({"id": raw, "ticked": bool(form.get(f"tick-{raw}"))})
    if (form.get("new_label") or "").strip():
        items.append({"label": form["new_label"].strip(), "ticked": False})
    return {"items": items}


@bp.route("/<int:meeting_id>/checklist", methods=["GET", "POST"])
@login_required
def checklist(meeting_id):
    user = _user()
    meeting = get_meeting(user, meeting_id, for_update=request.method == "POST")
    errors, status = {}, 200
    if request.method == "POST":
        _done, errors = attempt(ChecklistArgs(), checklist_from_form(request.form),
                                lambda args: services.update_checklist(user, meeting, **args))
        if not errors:
            flash(_("Checklist saved."), "success")
            return redirect(url_for("agenda_web.checklist", meeting_id=meeting_id))
        status = 422
        meeting = get_meeting(user, meeting_id)
    items = services.checklist(meeting)
    return render_template("agenda/checklist.html", meeting=meeting, items=items,
                           label_of=services.label_of, unticked=[i for i in items if not i.ticked],
                           times=services.arrival_times(meeting), errors=errors,
                           editable=services.may_tick(user, meeting)), status
