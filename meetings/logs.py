"""Logs to standard output, one line per event, and a request id on each.

A container platform (or systemd, or a terminal) collects standard output;
the service writes no log files. `LOG_FORMAT=json` writes one JSON object per
line for a log collector; otherwise a plain line for people. Either way a
traceback stays inside its event's line, so one event is one line.

Every request gets an id: the proxy's `X-Request-ID` when the service runs
behind a trusted proxy (`PROXY_COUNT` > 0) and the value looks like an id,
else a fresh one. It is on every log line of the request, in the response's
`X-Request-ID` header and in a 500's body, so a person's "it failed" can be
matched with the log.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")  # never echo markup or newlines back
_QUIET_PATHS = ("/healthz", "/livez")  # probes every few seconds: DEBUG, not INFO

request_log = logging.getLogger("meetings.request")

# LogRecord's own attributes; anything else on a record came through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime",
                                                                          "request_id"}


def current_request_id() -> str | None:
    """The id of the request being served (None outside a request)."""
    if not has_request_context():
        return None
    # on the request, not on g: g belongs to the app context, which may outlive a request
    rid = request.environ.get("meetings.request_id")
    if rid is None:
        rid = request.environ["meetings.request_id"] = _incoming_id() or uuid.uuid4().hex
    return rid


def _incoming_id() -> str | None:
    from flask import current_app

    if not current_app.config.get("PROXY_COUNT"):
        return None  # a client could otherwise forge ids that collide with real ones
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if _VALID_ID.match(value) else None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def _extras(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            **_extras(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        rid = getattr(record, "request_id", None) or "-"
        extras = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = f"{stamp}Z {record.levelname} {record.name} [{rid}] {record.getMessage()}"
        if extras:
            line += " " + extras
        if record.exc_info:
            line += " | " + self.formatException(record.exc_info)
        return line.replace("\r", "").replace("\n", "\\n")  # one event, one line


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (a test's capture included)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(app: Flask) -> None:
    """Once per process: the root logger writes to stdout in the configured format."""
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)  # Flask's own goes to stderr
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, StdoutHandler)]
    handler = ours[0] if ours else StdoutHandler()
    handler.setFormatter(JsonFormatter() if app.config.get("LOG_FORMAT") == "json" else TextFormatter())
    if not ours:
        handler.addFilter(_RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    logging.getLogger("alembic").setLevel(logging.INFO)  # "Running upgrade …" lines, as before


def _user_id() -> int | None:
    # only a user this request already loaded, by its identity: the log never
    # costs a query (after the request's commit the user's columns are expired)
    user = g.get("_login_user") or g.get("api_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    if state is not None and state.identity:
        return state.identity[0]
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def register_request_log(app: Flask) -> None:
    @app.before_request
    def _start():
        request.environ["meetings.started"] = time.perf_counter()
        current_request_id()

    @app.after_request
    def _log(response):
        rid = current_request_id()
        response.headers[REQUEST_ID_HEADER] = rid
        level = logging.DEBUG if request.path in _QUIET_PATHS and response.status_code < 400 else logging.INFO
        if not request_log.isEnabledFor(level):  # LOG_LEVEL above it: nothing to gather
            return response
        started = request.environ.get("meetings.started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        request_log.log(level, "%s %s %s", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path,
                               "status": response.status_code, "duration_ms": duration,
                               "remote_addr": request.remote_addr, "user_id": _user_id()})
        return response
