"""One hierarchy of domain errors and the one place they become responses.

The HTTP status and a stable machine `reason` sit on the class; services raise,
handlers here translate — JSON for /api, a flash message for pages.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from .extensions import db


class DomainError(Exception):
    http_status, reason = 422, "invalid"

    def __init__(self, message: str, *, field: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def payload(self) -> dict:
        body = {
            "code": self.http_status,
            "status": HTTP_STATUS_CODES[self.http_status],
            "reason": self.reason,
            "message": self.message,
        }
        if self.field:
            body["errors"] = {self.field: [self.message]}
        if self.details:
            body["details"] = {k: str(v) for k, v in self.details.items()}
        return body


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
        body["errors"] = flat
        body["message"] = data.get("message") or "; ".join(
            f"{name}: {_first(msgs)}" for name, msgs in flat.items()
        )
    else:
        body["message"] = data.get("message") or exc.description or exc.name
    headers = data.get("headers") or {}
    return body, exc.code, headers


def _first(msgs) -> str:
    if isinstance(msgs, list) and msgs:
        return _first(msgs[0])
    if isinstance(msgs, dict):
        key, value = next(iter(msgs.items()))
        return f"{key}: {_first(value)}"
    return str(msgs)


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
            from .labels import humanize
            page = default_exceptions[exc.http_status](description=humanize(exc.message))
            return render_template("error.html", error=page), exc.http_status, headers
        from .labels import humanize
        flash(humanize(exc.message), "danger")
        return redirect(request.referrer or url_for("web.index"))

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
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
                "message": "; ".join(f"{k}: {v}" for k, v in exc.messages.items()),
                "errors": exc.messages}, 422

    @app.errorhandler(IntegrityError)
    @app.errorhandler(DataError)
    def handle_db_error(exc):
        # A constraint caught what a service check missed (a race, a too-long
        # value): the request is refused as a conflict, never a 500.
        db.session.rollback()
        app.logger.warning("database refused a write: %s", exc.orig)
        err = Conflict("the change conflicts with the current data; reload and retry")
        return handle_domain_error(err)

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        if isinstance(exc, HTTPException):
            return handle_http_error(exc)
        db.session.rollback()
        app.logger.exception("unhandled error")
        return handle_http_error(InternalServerError())
