"""One hierarchy of domain errors and the one place they become responses.

The HTTP status and a stable machine `reason` sit on the class; services raise,
handlers here translate — JSON for /api, a flash message for pages.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask_babel import gettext as _
from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from .extensions import db
from .labels import errors_text
from .validation import translated, words


class DomainError(Exception):
    """`message` is what went wrong, in words and without the field's name;
    `field` names the input it is about (an API field name: "starts_at",
    "budget.lines.0.amount"), or `errors` holds several such problems found in
    one pass (field → message). People see fields by their labels
    (`text()`); machines get the names as the keys of the API's `errors`."""

    http_status, reason = 422, "invalid"

    def __init__(self, message: str = "", *, field: str | None = None,
                 errors: dict[str, str] | None = None, **details):
        errors = {key: str(value) for key, value in (errors or {}).items()}
        if field and message:
            errors = {field: str(message), **errors}
        if not message and errors:
            message = next(iter(errors.values()))
        super().__init__(str(message))
        self.message = str(message)
        self.field = field or (next(iter(errors)) if errors else None)
        self.errors = errors
        self.details = details

    def text(self) -> str:
        """The message for a person: each field named by its label."""
        return errors_text(self.errors) if self.errors else self.message

    def payload(self) -> dict:
        body = {
            "code": self.http_status,
            "status": HTTP_STATUS_CODES[self.http_status],
            "reason": self.reason,
            "message": self.text(),
        }
        if self.errors:
            body["errors"] = {field: [message] for field, message in self.errors.items()}
        if self.details:
            body["details"] = {k: str(v) for k, v in self.details.items()}
        return body


class Advice(str):
    """A warning (advice, never a refusal): the words people read, which are
    also what the API's `warnings[]` carry, and `code`, what it is about, for
    code that tells warnings apart without reading the words."""

    code: str

    def __new__(cls, code: str, words) -> "Advice":
        advice = super().__new__(cls, str(words))
        advice.code = code
        return advice


class Problems:
    """Input problems gathered in one pass, so a form reports them together:

        problems = Problems()
        with problems.check():
            check_starts_at(starts_at)      # raises InvalidInput(field=...)
        problems.add("topic", _("…"))
        problems.raise_any()                # one InvalidInput with every field
    """

    def __init__(self, errors: dict[str, str] | None = None):
        self.errors: dict[str, str] = dict(errors or {})
        self.raised: list[DomainError] = []

    def add(self, field: str, message) -> None:
        self.errors.setdefault(field, str(message))

    def merge(self, exc: "DomainError") -> None:
        self.raised.append(exc)
        for field, message in (exc.errors or {"_": exc.message}).items():
            self.errors.setdefault(field, message)

    @contextmanager
    def check(self, kinds=None):
        """Record an InvalidInput (or one of `kinds`) raised inside instead of stopping."""
        try:
            yield
        except (kinds or InvalidInput) as exc:  # noqa: B030 — a class chosen by the caller
            self.merge(exc)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_any(self, kind: type["DomainError"] | None = None) -> None:
        if len(self.raised) == 1 and set(self.errors) == set(self.raised[0].errors or {"_"}):
            raise self.raised[0]  # one refusal alone keeps its own kind and details
        if self.errors:
            raise (kind or InvalidInput)(errors=self.errors)


class InvalidInput(DomainError):
    http_status, reason = 422, "invalid"


class NotFound(DomainError):
    http_status, reason = 404, "not_found"


class Forbidden(DomainError):
    http_status, reason = 403, "forbidden"


class Unauthorized(DomainError):
    http_status, reason = 401, "unauthorized"


class Conflict(DomainError):
    http_status, reason = 409, "conflict"


class InvalidTransition(Conflict):
    reason = "invalid_transition"


class PoolExhausted(Conflict):
    reason = "pool_exhausted"


class NoBudgetPool(Conflict):
    reason = "no_budget_pool"


class PreconditionsMissing(InvalidInput):
    reason = "preconditions_missing"


class BackupMissing(InvalidInput):
    reason = "backup_missing"


class InviteesMissing(InvalidInput):
    reason = "invitees_missing"


class ComplianceCapExceeded(InvalidInput):
    reason = "compliance_cap"


class AgendaRuleBroken(InvalidInput):
    reason = "agenda_rule"


class TooEarly(Conflict):
    reason = "too_early"


class EvidenceMissing(Conflict):
    """Close refused (SPEC §12): `gaps` names each gap (a budget category,
    `signin_scan`, `photo`, `speaker_payment`, `flag_open`) with a message in
    words; the body's `errors` carries them all, one string each."""
    reason = "evidence_missing"

    def __init__(self, message: str, gaps: dict[str, str]):
        super().__init__(message)
        self.gaps = dict(gaps)

    def payload(self) -> dict:
        return {**super().payload(), "errors": dict(self.gaps)}


def is_api_request() -> bool:
    """Errors answer in JSON for the API, for a request that sent JSON, and for
    a page endpoint marked @answers_json (a script's endpoint) — also when the
    error comes before the view runs (a stale CSRF token); else a page."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "answers_json", False)


def answers_json(view):
    """Mark a page endpoint whose answers (errors included) are JSON. Put it
    below the route: the mark is read from the registered view."""
    view.answers_json = True
    return view


def _json_http_error(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    body = {"code": exc.code, "status": HTTP_STATUS_CODES.get(exc.code, exc.name)}
    errors = data.get("errors") or data.get("messages")
    if errors:
        # webargs nests errors under the location ("json", "query"); name fields plainly
        flat = {}
        for location, fields in errors.items():
            if isinstance(fields, dict):
                flat.update(fields)
            else:
                flat[location] = fields
        body["errors"] = translated(flat)
        body["message"] = data.get("message") or errors_text(flat_messages(flat))
    else:
        body["message"] = data.get("message") or exc.description or exc.name
    headers = data.get("headers") or {}
    return body, exc.code, headers


def flat_messages(messages, prefix: str = "") -> dict[str, str]:
    """A ValidationError's nested messages as one message per field, keyed by
    the dotted path ("budget.lines.0.amount"), in the reader's words."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            # "_schema": marshmallow's key for the whole (nested) object
            out.update(flat_messages(value, prefix if key == "_schema" else f"{prefix}{key}."))
    elif isinstance(messages, (list, tuple)):
        leaves = [m for m in messages if not isinstance(m, (dict, list, tuple))]
        for nested in (m for m in messages if isinstance(m, (dict, list, tuple))):
            out.update(flat_messages(nested, prefix))
        if leaves:
            out[prefix.rstrip(".") or "_"] = " ".join(words(m) for m in leaves)
    else:
        out[prefix.rstrip(".") or "_"] = words(messages)
    return out


def register(app) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        db.session.rollback()
        headers = exc.headers() if hasattr(exc, "headers") else {}  # Retry-After of a 429
        if is_api_request():
            return exc.payload(), exc.http_status, headers
        if request.method == "GET" or exc.http_status in (401, 403, 404, 429):
            # a page that cannot be shown answers with its status, not a redirect
            from werkzeug.exceptions import default_exceptions
            page = default_exceptions[exc.http_status](description=exc.text())
            return render_template("error.html", error=page), exc.http_status, headers
        flash(exc.text(), "danger")
        return redirect(request.referrer or url_for("web.index"))

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        if isinstance(exc, CSRFError):  # Flask-WTF says why in English
            exc = BadRequest(description=_("The form has expired or was not sent from this site; "
                                           "reload the page and send it again."))
        from .logs import current_request_id

        # a 500 names its request id, so a report of it can be found in the log
        request_id = current_request_id() if exc.code and exc.code >= 500 else None
        if is_api_request():
            body, status, headers = _json_http_error(exc)
            if request_id:
                body["request_id"] = request_id
            return body, status, headers
        if exc.code and exc.code < 400:
            return exc
        return render_template("error.html", error=exc, request_id=request_id), exc.code

    @app.errorhandler(ValidationError)
    def handle_invalid_json(exc: ValidationError):
        # A JSON body a page endpoint loads itself (the API's go through webargs)
        db.session.rollback()
        if not is_api_request():
            return handle_unexpected(exc)
        return {"code": 422, "status": HTTP_STATUS_CODES[422], "reason": "invalid",
                "message": errors_text(flat_messages(exc.messages)),
                "errors": translated(exc.messages)}, 422

    @app.errorhandler(IntegrityError)
    @app.errorhandler(DataError)
    def handle_db_error(exc):
        # A constraint caught what a service check missed (a race, a too-long
        # value): the request is refused as a conflict, never a 500.
        db.session.rollback()
        app.logger.warning("database refused a write: %s", exc.orig)
        err = Conflict(_("the change conflicts with the current data; reload and retry"))
        return handle_domain_error(err)

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        if isinstance(exc, HTTPException):
            return handle_http_error(exc)
        db.session.rollback()
        app.logger.exception("unhandled error")
        return handle_http_error(InternalServerError())
