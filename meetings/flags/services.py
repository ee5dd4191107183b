"""Compliance flags (SPEC §12). Every rule about a flag lives here: who
raises, answers and resolves; an open flag blocks close (handed to the
meeting's close gate by connect()); each step is in the action log (ids
only: the reason and the answer are people's words) and told to whom it
concerns (meetings/signals.py → notifications)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from ..actionlog import log_action
from ..auth.models import Role, User
from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..proposals.models import Meeting
from ..proposals.services import check_on_close, is_provincial_manager_of
from ..signals import flag_answered, flag_raised, flag_resolved
from ..types import utcnow
from .models import Flag

RAISERS = {Role.compliance}


class FlagResolved(Conflict):
    reason = "flag_resolved"


def flags_of(meeting: Meeting) -> list[Flag]:
    return list(db.session.scalars(select(Flag).where(Flag.meeting_id == meeting.id)
                                   .order_by(Flag.id)))


def get_flag(meeting: Meeting, flag_id: int, *, for_update: bool = False) -> Flag:
    query = select(Flag).where(Flag.id == flag_id, Flag.meeting_id == meeting.id)
    if for_update:
        query = query.with_for_update()
    flag = db.session.scalar(query)
    if flag is None:
        raise NotFound(_("flag not found"))
    return flag


def may_raise(user: User) -> bool:
    return user.role in RAISERS


def may_answer(user: User, meeting: Meeting) -> bool:
    """The meeting's owner or a provincial manager of its province."""
    return meeting.owner_id == user.id or is_provincial_manager_of(user, meeting)


def raise_flag(actor: User, meeting: Meeting, *, reason: str) -> Flag:
    if not may_raise(actor):
        raise Forbidden(_("only compliance flags a meeting"))
    flag = Flag(meeting_id=meeting.id, reason=reason.strip(), raised_by_id=actor.id, raised_at=utcnow())
    db.session.add(flag)
    db.session.flush()
    log_action(actor, "flag", "flag", flag.id, after=_view(flag))
    flag_raised.send(meeting, flag=flag)  # the owner and the provincial manager are told
    return flag


def answer(actor: User, meeting: Meeting, flag: Flag, *, comment: str) -> Flag:
    """The owner or the provincial manager answers; a later answer replaces the
    earlier one (each is in the action log) until compliance resolves."""
    if not may_answer(actor, meeting):
        raise Forbidden(_("only the meeting's owner or the province's manager answers a flag"))
    if not flag.open:
        raise FlagResolved(_("this flag is resolved already"))
    before = _view(flag)
    flag.answer, flag.answered_by_id, flag.answered_at = comment.strip(), actor.id, utcnow()
    db.session.flush()
    log_action(actor, "answer_flag", "flag", flag.id, before=before, after=_view(flag))
    flag_answered.send(meeting, flag=flag)  # the officer who raised it is told
    return flag


def resolve(actor: User, meeting: Meeting, flag: Flag) -> Flag:
    if not may_raise(actor):
        raise Forbidden(_("only compliance resolves a flag"))
    if not flag.open:
        raise FlagResolved(_("this flag is resolved already"))
    before = _view(flag)
    flag.resolved_by_id, flag.resolved_at = actor.id, utcnow()
    db.session.flush()
    log_action(actor, "resolve_flag", "flag", flag.id, before=before, after=_view(flag))
    flag_resolved.send(meeting, flag=flag)
    return flag


def _view(flag: Flag) -> dict:
    """What the log keeps of a flag: ids and its status, never the words."""
    return {"meeting_id": flag.meeting_id, "status": flag.status.value,
            "answered_by_id": flag.answered_by_id}


def open_clause():
    """SQL on Meeting: it has an open flag (the compliance view's filter)."""
    return exists().where(Flag.meeting_id == Meeting.id, Flag.resolved_at.is_(None))


def open_count(meeting: Meeting) -> int:
    return db.session.scalar(select(func.count(Flag.id)).where(
        Flag.meeting_id == meeting.id, Flag.resolved_at.is_(None))) or 0


def open_flag_gap(meeting: Meeting) -> dict[str, str]:
    """The close gate's `flag_open` (SPEC §12): an open flag keeps the file open."""
    n = open_count(meeting)
    if not n:
        return {}
    return {"flag_open": _("%(n)s compliance flag(s) still open: compliance must resolve them first", n=n)}


def connect() -> None:
    """Hand the close gate its check (meetings/subscriptions.py; idempotent)."""
    check_on_close(open_flag_gap)
