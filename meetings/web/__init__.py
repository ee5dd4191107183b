"""The pages toolkit: forms, navigation, page helpers, and the blueprint of
the pages that belong to no domain. It imports no domain; meetings/pages.py
registers every domain's pages."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, make_response, redirect, request, session, url_for
from flask_login import current_user, login_required

from ..database import commits
from ..extensions import db
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


def commit_writes(view):
    """The request's one commit for a page: a write (any method but GET/HEAD,
    or a read marked database.read_writes) whose answer is not an error is
    committed before the answer goes out; a refusal raises and is rolled back
    by meetings/errors.py."""
    @wraps(view)
    def committed(*args, **kwargs):
        response = view(*args, **kwargs)
        if not commits(view):
            return response
        response = make_response(response)
        if response.status_code < 400:
            db.session.commit()
        return response
    return committed
