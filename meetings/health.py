"""Probes for a load balancer or an orchestrator.

/livez: the process answers (touches nothing: restart the process when it fails).
/healthz: the process can serve, i.e. the database answers a `SELECT 1` within
HEALTHZ_TIMEOUT seconds (take the instance out of rotation when it fails).
With REDIS_URL set, a second line says whether Redis answers; Redis down does
not fail the probe, since throttling then counts in the database.
Neither needs a login or sets a cookie; both are cheap enough to poll often.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app

from . import throttle
from .extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger("meetings.health")
_PLAIN = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


def database_answers(timeout: float) -> bool:
    """True when the database runs `SELECT 1` within `timeout` seconds.
    Uses the engine's pool (no new connection per probe); connecting to an
    unreachable server is bounded by the engine's connect_timeout."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            conn.exec_driver_sql("SELECT 1").scalar()
        return True
    except Exception as exc:  # any failure means "not ready", never a 500
        log.warning("health check: the database does not answer: %s", exc.__class__.__name__,
                    extra={"error": str(exc).splitlines()[0] if str(exc) else ""})
        return False


@bp.route("/livez")
def livez():
    return "ok", 200, _PLAIN


@bp.route("/healthz")
def healthz():
    if not database_answers(current_app.config["HEALTHZ_TIMEOUT"]):
        return "database unavailable", 503, _PLAIN
    redis = throttle.redis_state()
    if redis is None:
        return "ok", 200, _PLAIN
    if redis == "ok":
        return "ok\nredis: ok", 200, _PLAIN
    return "ok\nredis: unavailable (throttling counts in the database)", 200, _PLAIN
