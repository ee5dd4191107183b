from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..roles import Role
from ..types import UTCDateTime, enum_column, utcnow

__all__ = ["Role", "User"]  # Role lives in meetings/roles.py (base layer); re-exported here


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("provinces.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # The secret part of the private calendar feed's URL (SPEC §9): random,
    # 256 bits, made with the user (reading the feed's address writes nothing)
    # and replaced by a reset. Users older than this default got theirs from
    # the data migration 2026_12_07_5d1e0c4b7a92.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True,
                                                       default=new_calendar_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by logout-everywhere, a password change and deactivation: every
    # session cookie and API token carries the version it was made under and
    # stops working when it no longer matches (checked on every request).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    province = relationship("Province", foreign_keys=[province_id])
    region = relationship("Region", foreign_keys=[region_id])

    def set_password(self, password: str) -> None:
        from flask import current_app
        # scrypt by default; tests configure a cheap method to stay fast
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role.value}>"


class ApiToken(db.Model):
    """A bearer token (SPEC §10). The token is random; only its SHA-256 is
    stored, it carries nothing of the password, and it can be revoked one by
    one or all at once (the user's session version)."""
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    session_version: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
