"""What every API module shares: the blueprint with bearer-token auth and
SPEC §10's paging, the SQL pager, common fields."""
from __future__ import annotations

from datetime import datetime
from functools import wraps

import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint as _Blueprint
from flask_smorest import Page
from marshmallow import fields, validate
from sqlalchemy import func, select

from .errors import Unauthorized
from .extensions import db
from .types import as_aware, to_local


class Blueprint(_Blueprint):
    # SPEC §10: page from 1, page_size default 50, at most 500
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}

    def __init__(self, *args, public: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not public:
            self.before_request(authenticate_request)

    def response(self, status_code, schema=None, **kwargs):
        """flask-smorest's response, and the request's one commit: a write
        (any method but GET/HEAD) that returns is committed before its answer
        is written; a refusal raises and is rolled back (meetings/errors.py)."""
        respond = super().response(status_code, schema, **kwargs)

        def decorator(func):
            @wraps(func)
            def committed(*args, **kw):
                result = func(*args, **kw)
                if request.method not in ("GET", "HEAD"):
                    db.session.commit()
                return result
            return respond(committed)
        return decorator


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
        raise Unauthorized("send Authorization: Bearer <token> (POST /api/v1/auth/token)")
    g.api_user = _token_loader(token.strip())


def current_user():
    return g.api_user


class SelectPage(Page):
    """Pages a SQLAlchemy select without loading the whole collection."""

    @property
    def items(self):
        params = self.page_params
        if params.first_item > MAX_ID:  # past any table's end; too big for an OFFSET
            return []
        return db.session.scalars(
            self.collection.offset(params.first_item).limit(params.page_size)).unique().all()

    @property
    def item_count(self):
        return db.session.scalar(select(func.count()).select_from(
            self.collection.order_by(None).subquery()))


class LocalDateTime(fields.DateTime):
    """ISO 8601 with offset, shown in the deployment's zone; an input without
    an offset is read in that zone."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return to_local(value).isoformat()

    def _deserialize(self, value, attr, data, **kwargs):
        parsed: datetime = super()._deserialize(value, attr, data, **kwargs)
        return as_aware(parsed)


def Text(max_len: int = 200, required: bool = False, **kw):
    return fields.String(required=required, validate=validate.Length(max=max_len), **kw)


def Name(max_len: int = 120, **kw):
    return fields.String(required=True, validate=validate.Length(min=1, max=max_len), **kw)


def within(low, high):
    """A bound for Decimal fields. (validate.Range would do, but apispec then
    writes the bounds into the OpenAPI document as strings, which is invalid.)"""
    def check(value):
        if not low <= value <= high:
            raise ma.ValidationError(f"Must be between {low} and {high}.")
    return check


def Money(**kw):
    return fields.Decimal(as_string=True, places=2, allow_nan=False, validate=within(0, 10**11),
                          metadata={"description": "元, a decimal string such as \"1200.00\""}, **kw)


MAX_ID = 2**31 - 1  # ids are 32-bit integers; larger numbers name nothing


def Id(**kw):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kw)


def QueryId(**kw):
    """An id in a query string arrives as text; Id is strict (JSON bodies)."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kw)


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
