"""The meeting list's read side: a page of meetings in one statement, read
as rows, not ORM objects (issue 14).

Loading 50 meetings as ORM objects with their relationships cost ~1,400
objects a page. Here a page is one statement — the meetings' columns, their
budget lines and staff as JSON arrays, the list's total — and each row is
presented with the attributes MeetingListItemFields reads of a Meeting
(`staff_ids`, `budget_lines`, `budget_total`), so the one schema dumps the
list's items and the meeting's own answer alike; a test compares every item
with what GET /meetings/{id} shows of the same meeting, field by field.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from orjson import loads
from sqlalchemy import Integer, String, bindparam, case, cast, func, select

from ..extensions import db
from ..proposals.models import BudgetCategory, BudgetLine, Meeting, meeting_staff
from ..proposals.services import Search, search_statement

# what an item shows of a meeting's own columns (MeetingListItemFields)
COLUMNS = ("id", "status", "owner_id", "province_id", "hospital_id", "department_id", "topic", "purpose",
           "audience", "format", "venue", "starts_at", "expected_attendees", "speaker_id", "needs", "product",
           "supply_channel_open", "department_head_agreed", "relations_ok", "drawn_amount", "checkin_token")

class ListedLine:
    """A budget line of a listed meeting, read as a BudgetLine is."""
    __slots__ = ("category", "amount", "note")

    def __init__(self, category: str, amount: str, note: str | None):
        self.category, self.amount, self.note = BudgetCategory(category), Decimal(amount), note


class ListedMeeting:
    """A row of the page, read as a Meeting is by the schema (attributes:
    marshmallow tries a subscriptable object's items first, and a row
    refuses each with an exception). A meeting's budget lines and staff come
    as JSON arrays; neither aggregate promises an order, so they are sorted
    here by id, as the relationships are."""

    def __init__(self, row):
        self.__dict__ = dict(zip(COLUMNS, row))
        lines_json, staff_json, self.total = row[len(COLUMNS):]
        self.staff_ids = sorted(loads(staff_json)) if staff_json else []
        self.budget_lines = ([ListedLine(*line[1:]) for line in sorted(loads(lines_json))]
                             if lines_json else [])

    @property
    def budget_total(self) -> Decimal:
        return sum((line.amount for line in self.budget_lines), Decimal("0.00"))


@lru_cache(maxsize=256)
def _page(dialect: str, shape: tuple):
    """A page of a search's shape (proposals.services.Search) as the list
    reads it, its offset and size parameters as the search's values are.
    Kept once per shape and dialect — at most 4 kinds of scope × 16 sets of
    filters × 2 orders × 2 dialects, so the cache is bounded by what it
    holds, not by the calls: building this statement and its cache key cost
    ~0.8 ms of a list request's ~2.5 in process (docs/performance.md).

    What an item shows, and no more. A meeting's budget lines and staff come in its own row, as JSON
    arrays aggregated by the database (SQLite's JSON1, PostgreSQL's
    json_agg): one statement instead of three. The lines' amounts come as
    text with two decimals, so no float ever holds money. The total is the
    same search counted, uncorrelated (its own FROM meetings, not the page's
    row): the database counts once per statement, not once per row."""
    m = Meeting.__table__.c
    line, staff = BudgetLine.__table__.c, meeting_staff.c
    if dialect == "postgresql":
        aggregate, array = func.json_agg, func.json_build_array
    else:
        aggregate, array = func.json_group_array, func.json_array
    lines = (select(cast(aggregate(array(line.id, line.category, _money_text(dialect, line.amount), line.note)),
                         String))
             .where(line.meeting_id == m.id).scalar_subquery().label("lines_json"))
    staff_ids = (select(cast(aggregate(staff.user_id), String))
                 .where(staff.meeting_id == m.id).scalar_subquery().label("staff_json"))
    statement = search_statement(shape)
    total = (statement.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
             .correlate(None).scalar_subquery().label("total"))
    return (statement.with_only_columns(*(m[name] for name in COLUMNS), lines, staff_ids, total)
            .offset(bindparam("page_first", type_=Integer)).limit(bindparam("page_size", type_=Integer)))


def _money_text(dialect: str, amount):
    """An amount as text with two decimals, made by the database:
    PostgreSQL's numeric(14, 2) as text has them; SQLite keeps a NUMERIC as
    an integer or a real, which printf writes with two (its printf writes
    0.00 for a NULL, so NULL stays NULL first)."""
    if dialect == "postgresql":
        return cast(amount, String)
    return case((amount.is_(None), None), else_=func.printf("%.2f", amount))


def list_items(search: Search, first_item: int, page_size: int) -> tuple[list[ListedMeeting], int | None]:
    """The meetings of `search` from `first_item`, at most `page_size`, and
    how many the search finds in all — None for an empty page — in one
    statement."""
    connection = db.session.connection()
    statement = _page(connection.dialect.name, search.shape)
    values = {**search.values, "page_first": first_item, "page_size": page_size}
    rows = [ListedMeeting(row) for row in connection.execute(statement, values).all()]
    return rows, (rows[0].total if rows else None)
