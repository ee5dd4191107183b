"""Pages: the summary form (会议总结表) and the summary with planned vs actual
and spend vs budget. The form is parsed by the API's schema."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..doctors.models import Department, Doctor
from ..extensions import db
from ..proposals.models import BudgetCategory
from ..questions.models import QuestionSource
from ..proposals.services import get_meeting
from ..web.forms import attempt
from ..pdf.base import pdf_response
from . import services
from .form import render
from .schemas import SummaryArgs

bp = Blueprint("summary_web", __name__, url_prefix="/meetings")

BLANK_ROWS = 2
LISTS = {"questions": ("text", "doctor_id"), "actual_spend": ("category", "amount", "note")}


def _user():
    return current_user._get_current_object()


def summary_from_form(form) -> tuple[dict, dict[str, list[int]]]:
    """Flat fields as they are; `questions-<i>-text` style rows as lists
    (blank rows left out), with the form row of each item for error display."""
    data = {name: form.get(name, "").strip() or None for name in services.TEXT_FIELDS}
    rows = {}
    for name, fields in LISTS.items():
        indices = sorted({int(m.group(1)) for key in form
                          if (m := re.fullmatch(rf"{name}-(\d+)-\w+", key))})
        items, rows[name] = [], []
        for i in indices:
            item = {f: (form.get(f"{name}-{i}-{f}") or "").strip() for f in fields}
            if name == "actual_spend" and not item["amount"]:
                continue
            if name == "questions" and not item["text"]:
                continue
            item = {f: v for f, v in item.items() if v != ""}  # doctor_id: to an int by web.forms.integers
            items.append(item)
            rows[name].append(i)
        data[name] = items
    return data, rows


def _on_rows(errors: dict, rows: dict[str, list[int]]) -> dict:
    out = {}
    for key, message in errors.items():
        m = re.match(r"(questions|actual_spend)\.(\d+)\.(\w+)", key)
        if m and int(m.group(2)) < len(rows[m.group(1)]):
            out[f"{m.group(1)}-{rows[m.group(1)][int(m.group(2))]}-{m.group(3)}"] = message
        else:
            out[key] = message
    return out


def _form_values(meeting, summary) -> dict:
    if summary is None:
        spend = [{"category": line.category.value, "amount": str(line.amount), "note": line.note or ""}
                 for line in meeting.budget_lines]
        values = {name: "" for name in services.TEXT_FIELDS}
        questions = []
    else:
        spend = [{"category": line.category.value, "amount": str(line.amount), "note": line.note or ""}
                 for line in summary.spend_lines]
        values = {name: getattr(summary, name) or "" for name in services.TEXT_FIELDS}
        questions = [{"text": q.text, "doctor_id": q.doctor_id or ""}
                     for q in services.questions_of(meeting, QuestionSource.summary)]
    values["questions"] = questions + [{"text": "", "doctor_id": ""}] * BLANK_ROWS
    values["actual_spend"] = spend + [{"category": "", "amount": "", "note": ""}] * BLANK_ROWS
    return values


def _values_from_post(form) -> dict:
    values = {name: form.get(name, "") for name in services.TEXT_FIELDS}
    for name, fields in LISTS.items():
        count = len([k for k in form if re.fullmatch(rf"{name}-\d+-{fields[0]}", k)])
        values[name] = [{f: form.get(f"{name}-{i}-{f}", "") for f in fields} for i in range(count)]
    return values


@bp.route("/<int:meeting_id>/summary/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id):
    user = _user()
    meeting = get_meeting(user, meeting_id, for_update=request.method == "POST")
    errors, status = {}, 200
    if request.method == "POST":
        data, rows = summary_from_form(request.form)
        _done, errors = attempt(SummaryArgs(), data,
                                lambda args: services.save_summary(user, meeting, **args))
        if not errors:
            flash(_("Summary saved; its questions went to marketing.") if data["questions"]
                  else _("Summary saved; no questions were raised."), "success")
            return redirect(url_for("summary_web.show", meeting_id=meeting_id))
        errors, status = _on_rows(errors, rows), 422
        values = _values_from_post(request.form)
        meeting = get_meeting(user, meeting_id)
    else:
        values = _form_values(meeting, services.summary_of(meeting))
    doctors = db.session.scalars(select(Doctor).join(Department)
                                 .where(Department.hospital_id == meeting.hospital_id)
                                 .order_by(Doctor.name)).all()
    return render_template("summary/edit.html", meeting=meeting, values=values, errors=errors,
                           doctors=doctors, categories=list(BudgetCategory),
                           writable=services.may_write(user, meeting)), status


@bp.route("/<int:meeting_id>/summary")
@login_required
def show(meeting_id):
    user = _user()
    meeting = get_meeting(user, meeting_id)
    if services.summary_of(meeting) is None:
        if services.may_write(user, meeting):
            return redirect(url_for("summary_web.edit", meeting_id=meeting_id))
        return render_template("summary/show.html", meeting=meeting, report=None)
    report = services.report(meeting)
    return render_template("summary/show.html", meeting=meeting, report=report,
                           writable=services.may_write(user, meeting))


@bp.route("/<int:meeting_id>/summary.pdf")
@login_required
def pdf(meeting_id):
    """The printable summary form; 404 while there is no summary."""
    meeting = get_meeting(_user(), meeting_id)
    return pdf_response(render(meeting), f"summary-{meeting.id}.pdf")
