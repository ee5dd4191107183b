"""The meeting summary (SPEC §7): written by the owner once the meeting is
held, reconciled against the approved budget; its questions go to marketing."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..agenda import services as agenda
from ..orgs import services as orgs
from ..auth.models import User
from ..checkin.services import attendance
from ..doctors.models import Department, Doctor
from ..errors import Forbidden, InvalidInput, InvalidTransition, NotFound, Problems
from ..actionlog import log_action
from ..extensions import db
from ..signals import question_asked
from ..proposals.models import BudgetCategory, Meeting, Status
from ..actionlog import changes
from ..proposals.services import move, record_transition
from ..questions.models import Question, QuestionSource, QuestionStatus
from ..types import money, utcnow
from .models import SpendLine, Summary
from .shares import check_summary_spend
from ..proposals.labels import status_text

TEXT_FIELDS = ("organization", "agenda_notes", "feedback", "chief_endorsed", "chief_disputed",
               "next_steps", "overspend_reason")
WRITABLE = {Status.held, Status.summarized}


def may_write(user: User, meeting: Meeting) -> bool:
    """Whether to offer `user` the summary form (write_summary's who and when)."""
    return meeting.owner_id == user.id and meeting.status in WRITABLE


def summary_of(meeting: Meeting) -> Summary | None:
    return db.session.scalar(select(Summary).where(Summary.meeting_id == meeting.id))


def get_summary(meeting: Meeting) -> Summary:
    summary = summary_of(meeting)
    if summary is None:
        raise NotFound(_("this meeting has no summary yet"))
    return summary


def questions_of(meeting: Meeting, source: QuestionSource | None = None) -> list[Question]:
    """The meeting's questions (of one `source`: the summary's own, the
    chief's disputed points, those raised at visits), oldest first."""
    query = select(Question).where(Question.meeting_id == meeting.id)
    if source is not None:
        query = query.where(Question.source == source)
    return list(db.session.scalars(query.order_by(Question.id)))


def _check_doctor(meeting: Meeting, doctor_id: int | None, field: str) -> None:
    if doctor_id is None:
        return
    hospital_id = db.session.scalar(select(Department.hospital_id).join(Doctor)
                                    .where(Doctor.id == doctor_id))
    if hospital_id != meeting.hospital_id:
        raise InvalidInput(_("no such doctor at the meeting's hospital"),
                           field=field)


def chief_points(chief_disputed: str | None) -> list[dict]:
    """SPEC §15: each line of the chief's disputed points is a question for marketing."""
    return [{"text": line.strip()} for line in (chief_disputed or "").splitlines() if line.strip()]


def _sync_questions(meeting: Meeting, wanted: list[dict],
                    source: QuestionSource = QuestionSource.summary) -> None:
    """The summary's questions of `source` (its questions, or the chief's
    disputed points): those already sent stay as they are (never twice); new
    ones are added; open ones no longer listed are withdrawn. Answered ones
    always stay; questions from visits are not the summary's."""
    existing = {(q.doctor_id, q.text.strip()): q for q in questions_of(meeting, source)}
    keep, asked = set(), []
    for item in wanted:
        key = (item.get("doctor_id"), item["text"].strip())
        if key in keep:
            continue
        keep.add(key)
        if key not in existing:
            asked.append(Question(meeting_id=meeting.id, doctor_id=key[0], text=key[1],
                                  status=QuestionStatus.open, source=source))
            db.session.add(asked[-1])
    for key, question in existing.items():
        if key not in keep and question.status == QuestionStatus.open:
            db.session.delete(question)
    db.session.flush()
    for question in asked:
        question_asked.send(question)  # notifications: marketing is told


def _check_complete(meeting: Meeting, texts: dict, actual_spend: list[dict]) -> None:
    """A summary says how the meeting was organised and what it cost (SPEC §7);
    spending above the approved total needs a reason (check_overspend_reason)."""
    problems = Problems()  # reported together
    if not (texts.get("organization") or "").strip():
        problems.add("organization", _("say how the meeting was organised"))
    if not actual_spend:
        problems.add("actual_spend", _("enter what was spent, one line per budget category"))
    problems.raise_any()


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
    problems = Problems()  # every field checked in one pass, reported together
    with problems.check():
        _check_complete(meeting, texts, actual_spend)
    for i, item in enumerate(questions):
        with problems.check():
            _check_doctor(meeting, item.get("doctor_id"), f"questions.{i}.doctor_id")
    lines = [SpendLine(category=BudgetCategory(line["category"]), amount=money(line["amount"]),
                       note=line.get("note")) for line in actual_spend]
    spend: dict[BudgetCategory, Decimal] = {}
    for line in lines:
        spend[line.category] = spend.get(line.category, Decimal("0.00")) + line.amount
    actual_total = sum((line.amount for line in lines), Decimal("0.00"))
    with problems.check(InvalidInput):  # the caps (ComplianceCapExceeded) are InvalidInput too
        # SPEC §12: meals ÷ the doctors who ate within the cap; each doctor's
        # actual share within the annual cap (meetings/summary/shares.py)
        check_summary_spend(meeting, spend)
    with problems.check():
        check_overspend_reason(meeting, actual_total, texts.get("overspend_reason"))
    problems.raise_any()

    summary = summary_of(meeting)
    now = utcnow()
    # the log keeps the money (old → new) and which texts changed, never the texts
    new_spend = _spend_view(lines)
    if summary is None:
        summary = Summary(meeting_id=meeting.id, author_id=actor.id, submitted_at=now)
        db.session.add(summary)
        move(meeting, Status.summarized, actor, "summary", **new_spend)
    else:
        old_spend = _spend_view(summary.spend_lines)
        texts_changed = [n for n in TEXT_FIELDS if (getattr(summary, n) or None) != (texts.get(n) or None)]
        before, after = changes(old_spend, new_spend)
        if texts_changed:
            after["texts_changed"] = texts_changed
        record_transition(meeting, "summary_edit", meeting.status, meeting.status, actor, None,
                          before=before, **after)
    for name in TEXT_FIELDS:
        setattr(summary, name, texts.get(name))
    summary.spend_lines = lines
    summary.updated_at = now
    _sync_questions(meeting, questions)
    _sync_questions(meeting, chief_points(texts.get("chief_disputed")), QuestionSource.chief_review)
    settle_pool(actor, meeting, actual_total)
    db.session.flush()
    return summary


def approved_total(meeting: Meeting) -> Decimal:
    return meeting.drawn_amount if meeting.drawn_amount is not None else meeting.budget_total


def check_overspend_reason(meeting: Meeting, actual_total: Decimal, reason: str | None) -> None:
    """SPEC §3: actual spend above the approved total needs a written reason."""
    approved = approved_total(meeting)
    if actual_total > approved and not (reason or "").strip():
        raise InvalidInput(_("the actual spend of %(actual)s 元 is above the "
                             "approved %(approved)s 元; say why", actual=actual_total,
                             approved=approved), field="overspend_reason")


def settle_pool(actor: User, meeting: Meeting, actual_total: Decimal) -> None:
    """SPEC §3 settling: the pool is charged the actual total instead of what
    was drawn (or what an earlier version of the summary said). The caller
    holds the meeting's row lock; the pool moves by one atomic UPDATE."""
    charged = meeting.actual_total if meeting.actual_total is not None else meeting.drawn_amount
    meeting.actual_total = actual_total
    if meeting.drawn_pool_id is None or charged is None or charged == actual_total:
        return
    orgs.settle(meeting.drawn_pool_id, actual_total - charged)
    log_action(actor, "settle", "budget", meeting.drawn_pool_id,
               before={"meeting_id": meeting.id, "charged": charged},
               after={"meeting_id": meeting.id, "charged": actual_total})


def _spend_view(lines) -> dict:
    return {"actual_spend": [[line.category.value, str(money(line.amount))] for line in lines],
            "actual_total": str(money(sum((line.amount for line in lines), Decimal("0.00"))))}


def budget_report(meeting: Meeting, summary: Summary) -> dict:
    """Actual vs approved, in all and per budget line."""
    approved = approved_total(meeting)
    actual_total = summary.actual_total
    categories = [c for c in BudgetCategory
                  if meeting.spend_on(c) or summary.actual_on(c)]
    return {
        "actual_total": actual_total,
        "approved_total": approved,
        "variance": actual_total - approved,
        "by_category": [{"category": c, "approved": meeting.spend_on(c),
                         "actual": summary.actual_on(c),
                         "variance": summary.actual_on(c) - meeting.spend_on(c)}
                        for c in categories],
    }


def report(meeting: Meeting) -> dict:
    """Everything the summary page, the API and the printed form show."""
    summary = get_summary(meeting)
    return {"summary": summary, "meeting": meeting, "questions": questions_of(meeting, QuestionSource.summary),
            "chief_questions": questions_of(meeting, QuestionSource.chief_review),
            "agenda": agenda.run_report(meeting), "attendance": attendance(meeting),
            **budget_report(meeting, summary)}
