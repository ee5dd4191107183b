"""What page handlers share: role gates, the form round trip (parse → one
service → commit, or re-render with errors), and the template helpers."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, request
from flask_login import current_user, login_required
from marshmallow import Schema

from ..errors import Conflict, InvalidInput, NotFound
from ..labels import colon, field_label, label, options
from .forms import attempt, form_dict
from . import numbers


def roles_required(*roles):
    """Logged in and holding one of `roles`, else 403 (the page exists, it is
    not for this person)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def submit(schema: Schema, service: Callable[[dict], object], done: Callable[[object], object],
           again: Callable[[dict], str], *, data: dict | None = None, booleans: tuple[str, ...] = ()):
    """Parse the posted form with the API's `schema`, call `service(args)`,
    commit and return `done(result)`. Bad input or a refused change rolls back
    and returns `again(errors)` with 422 — the form, its values and the errors
    beside the fields. Not-found and forbidden keep their usual responses."""
    if data is None:
        data = form_dict(request.form, booleans=booleans)
    result, errors = attempt(schema, data, service, refused=(InvalidInput, Conflict))
    if not errors:
        return done(result)
    return again(errors), 422


def or_404(getter: Callable, *args):
    """A service getter whose NotFound becomes the 404 page."""
    try:
        return getter(*args)
    except NotFound:
        abort(404)


# ---------------------------------------------------------------- labels

def enum_options(enum_cls) -> list[tuple[str, object]]:
    """(value, label) pairs for a select."""
    return options(enum_cls)


def register_template_helpers(bp) -> None:
    """Make `label`, `colon`, `enum_options` and the master-data enums available in
    every template (a domain adds its enums: doctors' `enum_options(doctor_titles)`)."""
    bp.add_app_template_global(label, "label")
    bp.add_app_template_global(colon, "colon")  # "：" after a Chinese label, ": " after an English one
    bp.add_app_template_filter(label, "label")
    bp.add_app_template_filter(field_label, "field_label")  # an error's field key as its label
    bp.add_app_template_global(enum_options, "enum_options")
    numbers.register(bp)  # `money`: ¥12,300 on pages
