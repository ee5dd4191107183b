"""Export, erase and signature retention for one doctor (PIPL).

Erasing keeps every meeting figure: the invitee and check-in rows stay (with
their doctor_id, so attendance, rates and spend are unchanged); what goes is
the person — the name (replaced by a placeholder everywhere it was copied into
free text: summaries, questions, follow-up notes, notifications and e-mails,
meeting texts), signatures, notes about them (follow-up notes, the reason of a
grade override). The action log needs no change: it never held any of that.
"""
from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.orm import joinedload

from flask_babel import gettext as _
from ..actionlog import log_action, plain
from ..auth.models import Role, User
from ..checkin.models import CheckIn
from ..doctors.models import Doctor
from ..doctors.services import get_doctor, grade_of, is_key
from ..errors import Forbidden, InvalidInput
from ..extensions import db
from ..followups.models import FollowUp
from ..visits.models import Visit
from ..invitees.models import Invitee
from ..notifications.models import Notification, OutgoingMail
from ..summary.shares import shares_by_year
from ..proposals.models import Meeting
from ..questions.models import Question
from ..summary.models import SpendLine, Summary
from ..types import utcnow

REASON_MAX = 500


def erased_name(doctor_id: int) -> str:
    return f"已删除 #{doctor_id}"


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden(_("only an administrator exports or erases a person's data"))


def _data_url(png: bytes | None) -> str | None:
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode()


def _meeting_ids(doctor_id: int) -> list[int]:
    """Meetings the doctor was invited to, signed in at, or asked a question in."""
    ids = select(Invitee.meeting_id).where(Invitee.doctor_id == doctor_id).union(
        select(CheckIn.meeting_id).where(CheckIn.doctor_id == doctor_id),
        select(Question.meeting_id).where(Question.doctor_id == doctor_id),
        select(FollowUp.meeting_id).where(FollowUp.doctor_id == doctor_id))
    return sorted(db.session.scalars(ids).all())


def _prescriptions_table() -> Table | None:
    # the prescriptions domain may not exist in every deployment (SPEC §9)
    return db.metadata.tables.get("prescriptions")


# ---------------------------------------------------------------- export

def export_doctor(actor: User, doctor_id: int) -> dict:
    """Everything held on one doctor, as JSON-ready data; the export is logged."""
    _require_admin(actor)
    doctor = get_doctor(doctor_id)
    department = doctor.department
    out = {
        "doctor": {
            "id": doctor.id, "name": doctor.name, "title": doctor.title.value,
            "position": doctor.position.value, "potential": str(doctor.potential),
            "support": str(doctor.support), "grade": grade_of(doctor).value, "key": is_key(doctor),
            "grade_override": doctor.grade_override.value if doctor.grade_override else None,
            "grade_override_reason": doctor.grade_override_reason,
            "department": {"id": department.id, "name": department.name},
            "hospital": {"id": department.hospital.id, "name": department.hospital.name,
                         "city": department.hospital.city},
            "erased_at": doctor.erased_at.isoformat() if doctor.erased_at else None,
        },
        "invitations": [
            {"id": i.id, "meeting_id": i.meeting_id, "topic": i.meeting.topic,
             "starts_at": i.meeting.starts_at.isoformat(), "role": i.role.value, "status": i.status.value,
             "backup_for": i.backup_for_id,
             "promoted_at": i.promoted_at.isoformat() if i.promoted_at else None}
            for i in db.session.scalars(select(Invitee).where(Invitee.doctor_id == doctor.id)
                                        .options(joinedload(Invitee.meeting))  # not one query per invitation
                                        .order_by(Invitee.id))],
        "checkins": [
            {"id": c.id, "meeting_id": c.meeting_id, "name": c.name, "title": getattr(c.title, "value", c.title),
             "source": c.source.value, "checked_in_at": c.checked_in_at.isoformat(),
             "meal_opt_in": c.meal_opt_in, "signature": _data_url(c.signature)}
            for c in db.session.scalars(select(CheckIn).where(CheckIn.doctor_id == doctor.id)
                                        .order_by(CheckIn.id))],
        "followups": [
            {"id": f.id, "meeting_id": f.meeting_id, "kind": f.kind.value, "status": f.status.value,
             "due_on": f.due_on.isoformat() if f.due_on else None,
             "outcome": f.outcome.value if f.outcome else None, "notes": f.notes,
             "completed_at": f.completed_at.isoformat() if f.completed_at else None}
            for f in db.session.scalars(select(FollowUp).where(FollowUp.doctor_id == doctor.id)
                                        .order_by(FollowUp.id))],
        "questions": [
            {"id": q.id, "meeting_id": q.meeting_id, "text": q.text, "status": q.status.value,
             "answer": q.answer, "created_at": q.created_at.isoformat() if q.created_at else None}
            for q in db.session.scalars(select(Question).where(Question.doctor_id == doctor.id)
                                        .order_by(Question.id))],
        "visits": [
            {"id": v.id, "rep_id": v.rep_id, "visited_at": v.visited_at.isoformat(), "minutes": v.minutes,
             "purpose": v.purpose, "key_message": v.key_message, "expected_objection": v.expected_objection,
             "next_step": v.next_step, "outcome": v.outcome.value, "stage": v.stage.value, "notes": v.notes}
            for v in db.session.scalars(select(Visit).where(Visit.doctor_id == doctor.id).order_by(Visit.id))],
        "spend": _spend(doctor),
        "exported_at": utcnow().isoformat(),
    }
    table = _prescriptions_table()
    if table is not None and "doctor_id" in table.c:
        rows = db.session.execute(select(table).where(table.c.doctor_id == doctor.id)).mappings()
        out["prescriptions"] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
    log_action(actor, "export", "doctor", doctor.id,
               after={k: len(v) for k, v in out.items() if isinstance(v, list)})
    return out


def _jsonable(value):
    return plain(value)


def _spend(doctor: Doctor) -> list[dict]:
    """Per calendar year, his share of each meeting (SPEC §12's shares, as
    the annual cap counts them): one query for all his years."""
    return [{"year": year, "total": str(sum((s.share for s in rows), Decimal("0.00"))),
             "meetings": [{"meeting_id": s.meeting_id, "share": str(s.share), "basis": s.basis}
                          for s in rows]}
            for year, rows in shares_by_year(doctor.id).items()]


# ---------------------------------------------------------------- erase

def erase_doctor(actor: User, doctor_id: int, reason: str | None) -> Doctor:
    """Anonymise one doctor (PIPL): name, signatures and notes about them go,
    every meeting figure stays. Idempotent: erasing again changes nothing more."""
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("say why the data is erased (e.g. the doctor's request of 2026-11-20)"),
                           field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("at most %(n)s characters", n=REASON_MAX), field="reason")
    doctor = db.session.get(Doctor, doctor_id, with_for_update=True) or get_doctor(doctor_id)
    old_name, placeholder = doctor.name, erased_name(doctor.id)
    counts = {"texts_rewritten": 0}
    if old_name != placeholder:
        counts["texts_rewritten"] = _replace_everywhere(old_name, placeholder, _meeting_ids(doctor.id))
    doctor.name = placeholder
    if doctor.grade_override_reason:
        doctor.grade_override_reason = "—"
    counts["checkins"] = db.session.execute(
        update(CheckIn).where(CheckIn.doctor_id == doctor.id)
        .values(name=placeholder, signature=None).execution_options(synchronize_session=False)).rowcount
    counts["followup_notes"] = db.session.execute(
        update(FollowUp).where(FollowUp.doctor_id == doctor.id, FollowUp.notes.is_not(None))
        .values(notes=None).execution_options(synchronize_session=False)).rowcount
    # visits (SPEC §15): the call plan and notes are about him; the visit, its date and codes stay
    counts["visit_notes"] = db.session.execute(
        update(Visit).where(Visit.doctor_id == doctor.id)
        .values(notes=None, key_message=None, expected_objection=None, next_step=None,
                purpose=func.replace(Visit.purpose, old_name, placeholder) if old_name.strip() else Visit.purpose)
        .execution_options(synchronize_session=False)).rowcount
    doctor.erased_at = doctor.erased_at or utcnow()
    log_action(actor, "erase", "doctor", doctor.id,
               after={"reason": reason.replace(old_name, placeholder) if old_name else reason, **counts})
    db.session.flush()
    db.session.expire_all()  # the bulk updates above bypassed loaded objects
    return db.session.get(Doctor, doctor_id)


def _replace_everywhere(old: str, new: str, meeting_ids: list[int]) -> int:
    """The name copied into free text: summaries, spend notes, questions and
    follow-up notes of his meetings, meeting texts, every notification and
    e-mail. Returns how many rows changed."""
    if not old.strip():
        return 0
    changed = 0
    targets = [
        (Summary, ("organization", "agenda_notes", "feedback", "chief_endorsed", "chief_disputed",
                   "next_steps"), Summary.meeting_id.in_(meeting_ids)),
        (Question, ("text", "answer"), Question.meeting_id.in_(meeting_ids)),
        (FollowUp, ("notes",), FollowUp.meeting_id.in_(meeting_ids)),
        (Meeting, ("topic", "venue", "needs"), Meeting.id.in_(meeting_ids)),
        (Notification, ("subject", "body"), None),
        (OutgoingMail, ("subject", "body"), None),
    ]
    for model, columns, scope in targets:
        cols = [getattr(model, c) for c in columns]
        hit = or_(*[col.contains(old, autoescape=True) for col in cols])
        where = hit if scope is None else (scope & hit)
        changed += db.session.execute(
            update(model).where(where)
            .values({c: func.replace(getattr(model, c), old, new) for c in columns})
            .execution_options(synchronize_session=False)).rowcount
    spend_hit = SpendLine.note.contains(old, autoescape=True)
    summaries = select(Summary.id).where(Summary.meeting_id.in_(meeting_ids))
    changed += db.session.execute(
        update(SpendLine).where(SpendLine.summary_id.in_(summaries), spend_hit)
        .values(note=func.replace(SpendLine.note, old, new))
        .execution_options(synchronize_session=False)).rowcount
    return changed


# ---------------------------------------------------------------- retention

def purge_signatures(now=None) -> dict:
    """Signatures older than SIGNATURE_RETENTION_DAYS are removed (the
    check-in and its figures stay). Logged once per run that removed any."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SIGNATURE_RETENTION_DAYS"])
    purged = db.session.execute(
        update(CheckIn).where(CheckIn.signature.is_not(None), CheckIn.checked_in_at < cutoff)
        .values(signature=None).execution_options(synchronize_session=False)).rowcount
    if purged:
        log_action(None, "purge_signatures", "checkin", None,
                   after={"signed_before": cutoff, "count": purged})
    return {"purged": purged, "cutoff": cutoff.isoformat()}
