"""Local dates in SQL. Times are stored as naive UTC; a report that groups by
month or asks "done by the due date" needs the date in TIMEZONE, inside the
query. PostgreSQL converts exactly (time zone rules included); SQLite has no
zone database, so it shifts by the zone's offset now (exact for zones without
daylight saving, such as the default Asia/Shanghai)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, cast, func

from .extensions import db
from .types import local_zone, utcnow


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _sqlite_shift() -> str:
    minutes = int(utcnow().astimezone(local_zone()).utcoffset().total_seconds() // 60)
    return f"{minutes:+d} minutes"


def _pg_local(column):
    return func.timezone(str(local_zone()), func.timezone("UTC", column))


def local_day(column):
    """The local date of a UTC datetime column (comparable with a Date column)."""
    if _dialect() == "postgresql":
        return cast(_pg_local(column), Date)
    return func.date(column, _sqlite_shift())


def local_month(column):
    """'YYYY-MM' of the local date of a UTC datetime column."""
    if _dialect() == "postgresql":
        return func.to_char(_pg_local(column), "YYYY-MM")
    return func.strftime("%Y-%m", column, _sqlite_shift())


def local_month_shifted(column, months: int):
    """'YYYY-MM' of the month `months` after (or before, if negative) the
    local month of a UTC datetime column."""
    if _dialect() == "postgresql":
        return func.to_char(func.date_trunc("month", _pg_local(column)) + func.make_interval(0, months),
                            "YYYY-MM")
    return func.strftime("%Y-%m", column, _sqlite_shift(), "start of month", f"{months:+d} months")


def hours_between(start, end):
    """end − start in hours, as a number."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start, end] local dates → [from, until) UTC instants (each day whole)."""
    zone = local_zone()
    low = datetime.combine(start, time(), zone) if start else None
    high = datetime.combine(end + timedelta(days=1), time(), zone) if end else None
    return low, high
