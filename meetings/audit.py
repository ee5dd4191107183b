"""An append-only audit log for changes that are not meeting transitions
(grade overrides, budget allocations, user changes)."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="{}")


def record(actor, entity: str, entity_id: int, action: str, **detail) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor else None, entity=entity,
                       entity_id=entity_id, action=action,
                       detail=json.dumps(detail, default=str, ensure_ascii=False))
    db.session.add(entry)
    return entry
