"""The meeting list's read side: a page of meetings as JSON-ready items,
read as plain rows, not objects (issue 14).

Loading 50 meetings as ORM objects with their relationships and dumping them
field by field through marshmallow cost 25–40 ms a page: 30–100 times a
hello world. Here a page is one statement — the meetings' columns, their
budget lines and staff as JSON arrays, the list's total — and each item a
dict built in one expression (about 1 ms for 50). The shape is
MeetingListItemSchema's; a test compares every item with what
GET /meetings/{id} shows of the same meeting, field by field.
"""
from __future__ import annotations

from collections import namedtuple
from decimal import Decimal
from functools import cache

from orjson import loads
from sqlalchemy import Integer, Select, String, bindparam, case, cast, func, select, type_coerce

from ..extensions import db
from ..proposals.models import BudgetLine, Meeting, meeting_staff
from ..proposals.services import Search
from ..types import local_zone, to_local
from .meeting_schemas import checkin_urls


def _stored(enum_column):
    """An enum column as stored, its value's text (types.enum_column): the
    item shows that text, so the Enum round trip is skipped."""
    return type_coerce(enum_column, String).label(enum_column.key)


@cache
def _page(dialect: str, search: Select):
    """A page of `search` (a proposals.services.Search statement: one per
    shape of search) as the list reads it, built once per process, dialect
    and shape: building it and its cache key cost more than running it on a
    page of 50. Offset and size are bound parameters, as the search's values.
    With the named tuple its rows are read into (the columns' keys).

    What an item shows, and no more (each column selected is a column
    converted per row). A meeting's budget lines and staff come in its own
    row, as JSON arrays aggregated by the database (SQLite's JSON1,
    PostgreSQL's json_agg): one statement instead of three, and no row of
    theirs through the result layer. Amounts — the lines' and the drawn
    one — come as the text the item shows, so no float ever holds money and
    no Decimal is made only to be written out again; the arrays' order is
    not the aggregate's, it is sorted here by id. The total is the same
    search counted, uncorrelated (its own FROM meetings, not the page's
    row): the database counts once per statement, not once per row."""
    m = Meeting.__table__.c  # the table's columns: the ORM's annotated copies cost a comparison each per request
    line, staff = BudgetLine.__table__.c, meeting_staff.c
    if dialect == "postgresql":
        aggregate, array = func.json_agg, func.json_build_array
    else:
        aggregate, array = func.json_group_array, func.json_array
    lines = (select(cast(aggregate(array(line.id, line.category, _money_text(dialect, line.amount), line.note)),
                         String))
             .where(line.meeting_id == m.id).scalar_subquery().label("lines"))
    staff_ids = (select(cast(aggregate(staff.user_id), String))
                 .where(staff.meeting_id == m.id).scalar_subquery().label("staff_ids"))
    total = (search.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
             .correlate(None).scalar_subquery().label("total"))
    statement = (search.with_only_columns(
                m.id, _stored(m.status), m.owner_id, m.province_id, m.hospital_id, m.department_id, m.topic,
                _stored(m.purpose), _stored(m.audience), _stored(m.format), m.venue, m.starts_at,
                m.expected_attendees, m.speaker_id, m.needs, m.product, m.supply_channel_open,
                m.department_head_agreed, m.relations_ok,
                _money_text(dialect, m.drawn_amount).label("drawn_amount"), m.checkin_token, lines, staff_ids,
                total)
            .offset(bindparam("page_first", type_=Integer)).limit(bindparam("page_size", type_=Integer)))
    return statement, namedtuple("MeetingRow", [column.key for column in statement.selected_columns])


def _money_text(dialect: str, amount):
    """An amount as the item shows it, text with two decimals, made by the
    database: PostgreSQL's numeric(14, 2) as text has them; SQLite keeps a
    NUMERIC as an integer or a real, which printf writes with two (its
    printf writes 0.00 for a NULL, so NULL stays NULL first)."""
    if dialect == "postgresql":
        return cast(amount, String)
    return case((amount.is_(None), None), else_=func.printf("%.2f", amount))


def list_items(user, search: Search, first_item: int, page_size: int) -> tuple[list[dict], int | None]:
    """The meetings of `search` from `first_item`, at most `page_size`, as
    the list shows them to `user`, and how many the search finds in all —
    None for an empty page — in one statement. Rows come through the
    session's connection: nothing here becomes an object, so the ORM's result
    layer is skipped. Each row is read by position into a named tuple: a
    Row's attribute costs ~0.8 µs a read, 20 of them a meeting."""
    connection = db.session.connection()
    statement, meeting_row = _page(connection.dialect.name, search.statement)
    result = connection.execute(statement, {**search.values, "page_first": first_item, "page_size": page_size})
    rows = [meeting_row._make(row) for row in result.all()]  # fetchall, not a fetchone a row
    zone, url = local_zone(), checkin_urls(user)
    return [_item(row, url, zone) for row in rows], (rows[0].total if rows else None)


ZERO = Decimal("0.00")


def _budget(lines_json: str | None) -> dict:
    """The budget of an item from its (id, category, amount as text with two
    decimals, note) arrays, in id order; the total summed as Decimals."""
    lines = sorted(loads(lines_json)) if lines_json else ()
    return {"lines": [{"category": category, "amount": amount, "note": note}
                      for _id, category, amount, note in lines],
            "total": str(sum(map(Decimal, [line[2] for line in lines]), ZERO))}


def _item(row, checkin_url, zone) -> dict:
    return {
        "id": row.id,
        "status": row.status,
        "owner_id": row.owner_id,
        "province_id": row.province_id,
        "hospital_id": row.hospital_id,
        "department_id": row.department_id,
        "topic": row.topic,
        "purpose": row.purpose,
        "audience": row.audience,
        "format": row.format,
        "venue": row.venue,
        "starts_at": to_local(row.starts_at, zone).isoformat(),
        "expected_attendees": row.expected_attendees,
        "speaker_id": row.speaker_id,
        "staff_ids": sorted(loads(row.staff_ids)) if row.staff_ids else [],
        "budget": _budget(row.lines),
        "preconditions": {
            "supply_channel_open": row.supply_channel_open,
            "department_head_agreed": row.department_head_agreed,
            "relations_ok": row.relations_ok,
        },
        "needs": row.needs,
        "product": row.product,
        "drawn_amount": row.drawn_amount,
        "checkin_url": checkin_url(row),
    }
