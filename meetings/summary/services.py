"""The meeting summary (SPEC §7): written by the owner once the meeting is
held, reconciled against the approved budget; its questions go to marketing."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..agenda import services as agenda
from ..auth.models import User
from ..checkin.services import attendance
from ..doctors.models import Department, Doctor
from ..errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from ..extensions import db
from ..proposals.models import BudgetCategory, Meeting, Status
from ..proposals.services import check_meal_cap, move, record_transition
from ..questions.models import Question, QuestionStatus
from ..types import money, utcnow
from .models import SpendLine, Summary
from ..invitees.compliance import check_primaries_annual_cap
from ..proposals.labels import status_text

TEXT_FIELDS = ("organization", "agenda_notes", "feedback", "chief_endorsed", "chief_disputed",
               "next_steps")
WRITABLE = {Status.held, Status.summarized}


def summary_of(meeting: Meeting) -> Summary | None:
    return db.session.scalar(select(Summary).where(Summary.meeting_id == meeting.id))


def get_summary(meeting: Meeting) -> Summary:
    summary = summary_of(meeting)
    if summary is None:
        raise NotFound(_("this meeting has no summary yet"))
    return summary


def questions_of(meeting: Meeting) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.meeting_id == meeting.id)
                                   .order_by(Question.id)))


def _check_doctor(meeting: Meeting, doctor_id: int | None, field: str) -> None:
    if doctor_id is None:
        return
    hospital_id = db.session.scalar(select(Department.hospital_id).join(Doctor)
                                    .where(Doctor.id == doctor_id))
    if hospital_id != meeting.hospital_id:
        raise InvalidInput(_("%(field)s: no such doctor at the meeting's hospital", field=field),
                           field=field)


def _sync_questions(meeting: Meeting, wanted: list[dict]) -> None:
    """Questions already sent stay as they are (never twice); new ones are
    added; open ones no longer listed are withdrawn. Answered ones always stay."""
    existing = {(q.doctor_id, q.text.strip()): q for q in questions_of(meeting)}
    keep = set()
    for item in wanted:
        key = (item.get("doctor_id"), item["text"].strip())
        if key in keep:
            continue
        keep.add(key)
        if key not in existing:
            db.session.add(Question(meeting_id=meeting.id, doctor_id=key[0], text=key[1],
                                    status=QuestionStatus.open))
    for key, question in existing.items():
        if key not in keep and question.status == QuestionStatus.open:
            db.session.delete(question)


def save_summary(actor: User, meeting: Meeting, *, questions: list[dict] | None = None,
                 actual_spend: list[dict] | None = None, **texts) -> Summary:
    """Write (or rewrite) the summary of a held meeting; the first one moves
    the meeting held → summarized."""
    if meeting.owner_id != actor.id:
        raise Forbidden(_("only the meeting's owner writes its summary"))
    if meeting.status not in WRITABLE:
        raise InvalidTransition(_("a %(status)s meeting cannot be summarized; finish it first",
                                  status=status_text(meeting.status)))
    questions, actual_spend = questions or [], actual_spend or []
    for i, item in enumerate(questions):
        _check_doctor(meeting, item.get("doctor_id"), f"questions.{i}.doctor_id")
    lines = [SpendLine(category=BudgetCategory(l["category"]), amount=money(l["amount"]),
                       note=l.get("note")) for l in actual_spend]
    meals = sum((l.amount for l in lines if l.category == BudgetCategory.meals), Decimal("0.00"))
    check_meal_cap(meals, meeting.expected_attendees, field="actual_spend")
    # SPEC §3: the actual spend answers to the per-doctor annual cap as the budget did
    check_primaries_annual_cap(meeting, sum((l.amount for l in lines), Decimal("0.00")))

    summary = summary_of(meeting)
    now = utcnow()
    if summary is None:
        summary = Summary(meeting_id=meeting.id, author_id=actor.id, submitted_at=now)
        db.session.add(summary)
        move(meeting, Status.summarized, actor, "summary")
    else:
        record_transition(meeting, "summary_edit", meeting.status, meeting.status, actor, None)
    for name in TEXT_FIELDS:
        setattr(summary, name, texts.get(name))
    summary.spend_lines = lines
    summary.updated_at = now
    _sync_questions(meeting, questions)
    db.session.flush()
    return summary


def budget_report(meeting: Meeting, summary: Summary) -> dict:
    """Actual vs approved, in all and per budget line."""
    approved_total = (meeting.drawn_amount if meeting.drawn_amount is not None
                      else meeting.budget_total)
    actual_total = summary.actual_total
    categories = [c for c in BudgetCategory
                  if meeting.spend_on(c) or summary.actual_on(c)]
    return {
        "actual_total": actual_total,
        "approved_total": approved_total,
        "variance": actual_total - approved_total,
        "by_category": [{"category": c, "approved": meeting.spend_on(c),
                         "actual": summary.actual_on(c),
                         "variance": summary.actual_on(c) - meeting.spend_on(c)}
                        for c in categories],
    }


def report(meeting: Meeting) -> dict:
    """Everything the summary page, the API and the printed form show."""
    summary = get_summary(meeting)
    return {"summary": summary, "meeting": meeting, "questions": questions_of(meeting),
            "agenda": agenda.run_report(meeting), "attendance": attendance(meeting),
            **budget_report(meeting, summary)}
