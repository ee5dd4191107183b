"""The pages toolkit: forms, navigation, page helpers, and the blueprint of
the pages that belong to no domain. It imports no domain; meetings/pages.py
registers every domain's pages."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user, login_required

from .nav import landing_for

bp = Blueprint("web", __name__)


@bp.route("/")
@login_required
def index():
    """Each role's landing page (web.nav.landing_page), else the meeting list."""
    return redirect(url_for(landing_for(current_user) or "meetings_web.list_meetings"))


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(request.referrer or url_for("web.index"))
