"""Column types shared by every domain: UTC datetimes and money."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import DateTime, Enum, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every backend, returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Money(TypeDecorator):
    """元 with two decimals, NUMERIC in the database, Decimal in Python."""

    impl = Numeric(14, 2)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(CENT)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(CENT)


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    """Never raises: a stored time at the calendar's edge (year 1 or 9999,
    which no input lets in any more) is shown in UTC rather than breaking
    every list that contains it. `zone`: local_zone(), looked up once by a
    caller converting a whole page."""
    try:
        return value.astimezone(zone or local_zone())
    except (OverflowError, ValueError):
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)


def local_date(value: datetime) -> date:
    return to_local(value).date()


def as_aware(value: datetime) -> datetime:
    """A time without an offset is read in the deployment's zone."""
    if value.tzinfo is None:
        return value.replace(tzinfo=local_zone())
    return value


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def enum_column(enum_cls, **kw):
    """Enums stored by value as VARCHAR, portable across SQLite and PostgreSQL."""
    return Enum(enum_cls, native_enum=False, length=32, validate_strings=True,
                values_callable=lambda e: [m.value for m in e], **kw)


# Months as prescriptions count them ('YYYY-MM'): an index (months since
# year 0) is shifted by adding, then written back with month_text.
def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
