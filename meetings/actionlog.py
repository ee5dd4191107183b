"""The one append-only action log (SPEC §10 entry shape, §11).

Every change that matters to an audit writes one entry — who (None: the
system or an anonymous visitor), when, what action, on which object, before →
after — in the same transaction as the change, so nothing is logged that did
not happen and nothing happens unlogged. Entries hold ids and non-personal
values only (never a doctor's name, signature or notes about them): erasing a
person changes nothing here. No code path updates or deletes an entry; on
PostgreSQL a trigger refuses it (created with the table, here and in the
migration).

A meeting's history (its transitions) is the part of this log about that
meeting: `before`/`after` carry its `status`, and `comment` the transition's
comment.

The TRUNCATE trigger guards against the tables' owner (migrations); the
service runs as a role that does not own the tables and may only INSERT and
SELECT the log (database.grant_app_role, `flask grant-app-role`), so it can
neither change nor remove entries, nor disable the triggers.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .types import UTCDateTime, utcnow


class ActionLogEntry(db.Model):
    __tablename__ = "action_log"
    __table_args__ = (Index("ix_action_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))

    actor = relationship("User", lazy="joined", viewonly=True)

    # A meeting's history reads these (the shape of SPEC §10's history[]).
    @property
    def from_status(self) -> str | None:
        return (self.before or {}).get("status")

    @property
    def to_status(self) -> str | None:
        return (self.after or {}).get("status")

    @property
    def comment(self) -> str | None:
        return (self.after or {}).get("comment")


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION action_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'action_log is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER action_log_append_only BEFORE UPDATE OR DELETE ON action_log
    FOR EACH ROW EXECUTE FUNCTION action_log_append_only();
CREATE OR REPLACE FUNCTION action_log_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('meetings.action_log_truncate', true) = 'allowed' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'action_log is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER action_log_no_truncate BEFORE TRUNCATE ON action_log
    FOR EACH STATEMENT EXECUTE FUNCTION action_log_no_truncate();
"""
# A deliberate reset (the demo's --reset, the test suite) runs this first, in
# its transaction; the service's own role has no TRUNCATE on the log at all.
ALLOW_TRUNCATE = "SET LOCAL meetings.action_log_truncate = 'allowed'"
# create_all (tests, a fresh database) gets the trigger too, not only the migration
event.listen(ActionLogEntry.__table__, "after_create", DDL(APPEND_ONLY).execute_if(dialect="postgresql"))


class AppendOnly(RuntimeError):
    """Raised when code tries to change or remove a log entry."""


@event.listens_for(ActionLogEntry, "before_update")
@event.listens_for(ActionLogEntry, "before_delete")
def _refuse(_mapper, _connection, entry):
    raise AppendOnly(f"action log entry {entry.id} cannot be changed or removed")


def plain(value):
    """A value as JSON can hold it: Decimal and dates as strings, enums by value."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


# When entries happen: now, except while a story is told after the fact
# (the demo's meeting of yesterday) — set through recorded_at(), never by an
# UPDATE of entries already written.
_clock: ContextVar[datetime | None] = ContextVar("action_log_clock", default=None)


@contextmanager
def recorded_at(when: datetime):
    """Entries logged inside the block are dated `when`."""
    token = _clock.set(when)
    try:
        yield
    finally:
        _clock.reset(token)


def log_action(actor, action: str, obj_type: str, obj_id: int | None, *,
               before: dict | None = None, after: dict | None = None) -> ActionLogEntry:
    """Adds one entry to the current transaction (the caller commits it with
    the change). `actor`: a user, a user id, or None (the system, an anonymous
    visitor). Values must be ids and non-personal values."""
    actor_id = actor if isinstance(actor, int) or actor is None else actor.id
    entry = ActionLogEntry(actor_id=actor_id, action=action, object_type=obj_type, object_id=obj_id,
                           before=plain(before) if before is not None else None,
                           after=plain(after) if after is not None else None, at=_clock.get() or utcnow())
    db.session.add(entry)
    return entry


def changes(old: dict, new: dict) -> tuple[dict, dict]:
    """(before, after) restricted to the keys whose values differ."""
    keys = [k for k in new if plain(old.get(k)) != plain(new.get(k))]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}
