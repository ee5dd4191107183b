"""What every API module shares: the blueprint with bearer-token auth and
SPEC §10's paging, the SQL pager, common fields."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from decimal import Decimal
from operator import attrgetter

import marshmallow as ma
from flask import g, request
from flask_babel import gettext
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import Page
from marshmallow import fields, validate
from sqlalchemy import func, select

from .errors import Unauthorized
from .extensions import db
from .types import as_aware, to_local
from .validation import between


class Blueprint(_Blueprint):
    # SPEC §10: page from 1, page_size default 50, at most 500
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}

    def __init__(self, *args, public: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not public:
            self.before_request(authenticate_request)



_token_loader = None


def token_loader(loader):
    """Register the function that turns a bearer token into a user (the users'
    package does, as Flask-Login's user_loader): this toolkit knows no domain."""
    global _token_loader
    _token_loader = loader
    return loader


def authenticate_request():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(gettext("send Authorization: Bearer <token> (POST /api/v1/auth/token)"))
    g.api_user = _token_loader(token.strip())


def current_user():
    return g.api_user


class SelectPage(Page):
    """Pages a SQLAlchemy select without loading the whole collection.

    The page is read before the total: a page that is not full tells the
    total itself (what came before it and what it holds), so the COUNT(*) —
    a scan of every visible meeting at national scale — runs only for a full
    page or one past the end. Most of a rep's lists fit on their first page."""

    def __init__(self, collection, page_params):
        self.collection = collection
        self.page_params = page_params
        self._items = self._read_page()
        read = len(self._items)
        if 0 < read < page_params.page_size or (read == 0 and page_params.first_item == 0):
            page_params.item_count = page_params.first_item + read
        elif self.counted is not None:
            page_params.item_count = self.counted
        else:
            page_params.item_count = self.item_count

    # the total, when read() learned it with the page (in the same statement)
    counted: int | None = None

    def _read_page(self) -> list:
        params = self.page_params
        if params.first_item > MAX_ID:  # past any table's end; too big for an OFFSET
            return []
        return self.read(params.first_item, params.page_size)

    @property
    def items(self):
        return self._items

    def read(self, first_item: int, page_size: int) -> list:
        """The page's items: the objects the select selects there (a list
        that builds its items from rows overrides this)."""
        return db.session.scalars(self.collection.offset(first_item).limit(page_size)).unique().all()

    @property
    def item_count(self):
        return count_of(self.collection)


def count_of(statement, values: dict | None = None) -> int:
    """How many rows `statement` selects (run with `values`, if it takes any)."""
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()), values)


class LocalDateTime(fields.DateTime):
    """ISO 8601 with offset, shown in the deployment's zone; an input without
    an offset is read in that zone."""

    def _serialize(self, value, attr, obj, **kwargs):
        return self.text(value)

    @staticmethod
    def text(value: datetime | None) -> str | None:
        return None if value is None else to_local(value).isoformat()

    def _deserialize(self, value, attr, data, **kwargs):
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        return bounded(as_aware(parsed))


# SPEC §3: no input date may break a list. Every date-time the API or a page
# takes lies in these years, so converting it to any zone cannot overflow and
# the zone's offsets are modern whole minutes (no local mean time of 1900).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def bounded(value: datetime) -> datetime:
    try:
        year = value.astimezone(timezone.utc).year
    except (OverflowError, ValueError):
        year = None
    if year is None or not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise ma.ValidationError(gettext("Must be between the years %(low)s and %(high)s.",
                                   low=EARLIEST_YEAR, high=LATEST_YEAR))
    return value


LINE_BREAKS = frozenset("\r\n\t")


def readable(multiline: bool):
    """SPEC §11 / issue 15: text people read is refused when it is only
    whitespace, or holds control, invisible or direction-override characters
    (Unicode Cc/Cf — a right-to-left override makes "gpj.exe" read "exe.jpg",
    a line break in a name reaches mail headers and one-line layouts). Long
    fields (more than 200 characters: needs, notes, answers) are multi-line."""
    def check(value: str) -> None:
        if value and not value.strip():
            raise ma.ValidationError(gettext("Must not be only whitespace."))
        for char in value:
            if char in LINE_BREAKS:
                if not multiline:
                    raise ma.ValidationError(gettext("Must be one line (no line breaks or tabs)."))
            elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") or char in "\u2028\u2029":
                raise ma.ValidationError(
                    gettext("Must not contain invisible or control characters (U+%(code)s).", code="%04X" % ord(char)))
    return check


def Text(max_len: int = 200, required: bool = False, multiline: bool | None = None, **kw):
    multiline = max_len > 200 if multiline is None else multiline
    return fields.String(required=required, validate=[validate.Length(max=max_len), readable(multiline)],
                         **kw)


def Name(max_len: int = 120, multiline: bool | None = None, **kw):
    multiline = max_len > 200 if multiline is None else multiline
    return fields.String(required=True, validate=[validate.Length(min=1, max=max_len), readable(multiline)],
                         **kw)


def within(low, high):
    """A bound for Decimal fields. (validate.Range would do, but apispec then
    writes the bounds into the OpenAPI document as strings, which is invalid.)"""
    def check(value):
        if not low <= value <= high:
            raise ma.ValidationError(gettext("From %(min)s to %(max)s.", min=low, max=high))
    return check


def Money(**kw):
    return fields.Decimal(as_string=True, places=2, allow_nan=False, validate=within(0, 10**11),
                          metadata={"description": "元, a decimal string such as \"1200.00\""}, **kw)


MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger numbers name nothing


def Id(**kw):
    return fields.Integer(strict=True, validate=between(1, MAX_ID), **kw)


def QueryId(**kw):
    """An id in a query string arrives as text; Id is strict (JSON bodies)."""
    return fields.Integer(validate=between(1, MAX_ID), **kw)


class Args(ma.Schema):
    """Input schemas ignore fields they do not know (clients may echo output
    fields back), and bound every string."""

    class Meta:
        unknown = ma.EXCLUDE


class Partial:
    """Mixin for PATCH inputs: every field optional, and load_default not
    applied, so only what the client sent changes."""

    def __init__(self, *args, **kwargs):
        # Only the top-level fields are optional: a nested object that is sent
        # (a budget line) is still checked whole.
        kwargs.setdefault("partial", tuple(self._declared_fields))
        super().__init__(*args, **kwargs)


class ActionArgs(Args):
    comment = Text(2000, allow_none=True)


class ErrorSchema(ma.Schema):
    """What every error answers (meetings/errors.py), as the OpenAPI document
    tells clients: `reason` is a stable machine code; `details` carries the
    figures of a refusal; more keys may come."""
    code = fields.Integer(metadata={"description": "HTTP status"})
    status = fields.String(metadata={"description": "HTTP status name"})
    reason = fields.String(metadata={"description": "stable machine code, e.g. invalid, not_found, throttled"})
    message = fields.String(metadata={"description": "what went wrong, in the request's language"})
    errors = fields.Dict(metadata={"description": "messages per field"})
    details = fields.Dict(metadata={"description": "figures of the refusal"})

    class Meta:
        unknown = ma.INCLUDE


def decimals_are_strings(_converter, field, **kwargs) -> dict:
    """apispec writes every Decimal as a number; ours travel as decimal
    strings ("1200.00", SPEC §10) in and out (Flask's JSON writes a Decimal
    as a string even without as_string)."""
    if isinstance(field, fields.Decimal):
        ret = kwargs.get("ret", {})
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            ret.pop(key, None)
        return {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}
    return {}


def plain_dumper(schema: ma.Schema):
    """A function that dumps one object as `schema.dump` does, derived from
    the schema's own fields (its public configuration: names, data keys,
    attributes, Function and Method fields' callables), for a list of many
    items: marshmallow's per-field machinery costs ~1.5 µs a field, 2 ms for
    a page of 50 meetings of 22 fields, where this costs a fifth of that.
    Field kinds it does not know are dumped by the field itself
    (`Field.serialize`), so the shape is always the schema's; a test dumps
    rows both ways and compares."""
    steps = [(field.data_key or name, _field_dumper(schema, field, field.attribute or name))
             for name, field in schema.dump_fields.items()]

    def dump(obj) -> dict:
        return {key: value(obj) for key, value in steps}
    return dump


def _field_dumper(schema: ma.Schema, field: fields.Field, attr: str):
    read = attrgetter(attr)
    kind = type(field)
    if kind in (fields.Integer, fields.String, fields.Boolean) and not getattr(field, "as_string", False):
        return read  # JSON values already (ints, strings, booleans read from the database)
    if kind is fields.Enum and field.by_value:
        return lambda obj: None if (value := read(obj)) is None else value.value
    if kind is fields.List and type(field.inner) in (fields.Integer, fields.String):
        return lambda obj: None if (value := read(obj)) is None else list(value)
    if kind is fields.Function:
        return field.serialize_func
    if kind is fields.Method:
        return getattr(schema, field.serialize_method_name)
    if kind is fields.Decimal and field.as_string and field.places is not None:
        places, rounding = field.places, field.rounding
        return lambda obj: (None if (value := read(obj)) is None
                            else format(Decimal(value).quantize(places, rounding=rounding), "f"))
    if kind is LocalDateTime:
        return lambda obj: LocalDateTime.text(read(obj))
    return lambda obj: field.serialize(attr, obj)
