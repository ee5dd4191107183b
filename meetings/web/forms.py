"""Pages parse forms with the same marshmallow schemas as the API, so input
rules exist once; errors come back per field for the template to show."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict

from ..errors import DomainError, InvalidInput, flat_messages
from ..extensions import db


def form_dict(form: MultiDict, lists: tuple[str, ...] = (), booleans: tuple[str, ...] = ()) -> dict:
    """A request form as a plain dict: blank fields are left out (so optional
    fields stay optional), `lists` keep every value, unchecked checkboxes in
    `booleans` become False."""
    data = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in lists:
            data[key] = [v for v in form.getlist(key) if v != ""]
        elif form.get(key, "").strip() != "":
            data[key] = form.get(key).strip()
    for key in booleans:
        data[key] = form.get(key) in ("on", "true", "1", "y", "yes")
    return data


def flatten(messages) -> dict[str, str]:
    """A ValidationError's messages as one message per field, keyed by the
    dotted path ("budget.lines.0.amount"), in the reader's words."""
    return flat_messages(messages)


_INTEGER = re.compile(r"^-?\d{1,18}$")


def integers(schema: Schema, data: dict) -> dict:
    """Forms send text; the API's ids and counts are strict integers. Whole
    numbers become ints, anything else stays text for the schema to refuse;
    nested objects and lists of them (agenda rows, summary lines) likewise."""
    def whole(value):
        return int(value) if isinstance(value, str) and _INTEGER.match(value) else value

    out = dict(data)
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in out:
            continue
        value = out[key]
        inner = field.inner if isinstance(field, fields.List) else None
        if isinstance(field, fields.Integer):
            out[key] = whole(value)
        elif isinstance(inner, fields.Integer) and isinstance(value, list):
            out[key] = [whole(v) for v in value]
        elif isinstance(field, fields.Nested) and isinstance(value, dict):
            out[key] = integers(field.schema, value)
        elif isinstance(inner, fields.Nested) and isinstance(value, list):
            out[key] = [integers(inner.schema, v) if isinstance(v, dict) else v for v in value]
    return out


def parse(schema: Schema, data: dict) -> tuple[dict | None, dict[str, str]]:
    try:
        return schema.load(integers(schema, data)), {}
    except ValidationError as exc:
        return None, flatten(exc.messages)


class FormErrors(dict):
    """Messages per form field ("_": the whole form) and the status the page
    answers with when it shows them again: 422 for bad input, a refusal's own
    (the proposal form shows a 403 or 409 beside the fields too)."""

    def __init__(self, messages=(), status: int = 422):
        super().__init__(messages)
        self.status = status


def errors_from(exc: DomainError) -> dict[str, str]:
    """A domain error as form errors: each message on its field (the page
    shows it beside the field's label), or on the whole form ("_")."""
    return dict(exc.errors) if exc.errors else {"_": exc.message}


def attempt(schema: Schema, data: dict, service, *, refused=None, check=None) -> tuple[object, FormErrors]:
    """The form round trip every page shares: parse `data` with the API's
    `schema` and call `service(args)`; the request's one commit keeps what it
    did (database.finish_request). Bad input, or a refusal of the kinds in
    `refused` (default: InvalidInput), rolls back what the service began and
    comes back as field errors for the form to show (a page may still answer
    with a redirect); other domain errors propagate to the one handler in
    meetings/errors.py (or to the page's own refusal).
    `check(args)`: the domain's own checks of the fields (a start in the past,
    a department of another hospital), run on what the schema accepted even
    when it refused other fields, so every field is reported in one pass."""
    try:
        args, errors = schema.load(integers(schema, data)), {}
    except ValidationError as exc:
        args, errors = None, flatten(exc.messages)
        if check is not None:
            try:
                check(exc.valid_data or {})
            except InvalidInput as problem:
                for field, message in errors_from(problem).items():
                    errors.setdefault(field, message)
    if errors:
        return None, FormErrors(errors)
    try:
        result = service(args)
    except (refused or (InvalidInput,)) as exc:
        db.session.rollback()
        return None, FormErrors(errors_from(exc), exc.http_status)
    return result, FormErrors()
