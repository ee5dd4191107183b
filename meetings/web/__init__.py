"""The pages toolkit: forms, navigation, page helpers, and the blueprint of
the pages that belong to no domain. It imports no domain; meetings/pages.py
registers every domain's pages."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_login import login_required

bp = Blueprint("web", __name__)


@bp.route("/")
@login_required
def index():
    return redirect(url_for("meetings_web.list_meetings"))


@bp.route("/healthz")
def healthz():
    """Liveness for a load balancer or a benchmark: no session, no database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(request.referrer or url_for("web.index"))
