"""Server-rendered pages: one blueprint per area, registered here."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_login import current_user, login_required

from ..auth.models import User
from ..extensions import db, login_manager
from .nav import landing_for

bp = Blueprint("web", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))


login_manager.login_view = "auth_web.login"


@bp.route("/")
@login_required
def index():
    """Each role's landing page (web.nav.landing_page), else the meeting list."""
    return redirect(url_for(landing_for(current_user) or "meetings_web.list_meetings"))


@bp.route("/healthz")
def healthz():
    """Liveness for a load balancer or a benchmark: no session, no database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/lang/<code>")
def set_language(code: str):
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(request.referrer or url_for("web.index"))


def register_web(app) -> None:
    from ..agenda.views import bp as agenda_web
    from ..auth.views import bp as auth_web
    from ..checkin.views import bp as checkin, staff_bp as checkin_staff
    from ..doctors.views import bp as doctors_web
    from ..exports.views import bp as exports_web
    from ..reports.views import bp as reports_web
    from ..followups.views import bp as followups_web
    from ..invitees.views import bp as invitees_web
    from ..notifications.views import bp as notifications_web
    from ..orgs.views import bp as orgs_web
    from ..proposals.views import bp as meetings_web
    from ..questions.views import bp as questions_web
    from ..summary.views import bp as summary_web

    for blueprint in (bp, auth_web, orgs_web, doctors_web, meetings_web, invitees_web, checkin,
                      checkin_staff, agenda_web, summary_web, questions_web, followups_web, notifications_web,
                      exports_web, reports_web):
        app.register_blueprint(blueprint)

    @app.context_processor
    def inject():
        from ..auth.models import Role
        from ..types import to_local
        from .nav import items_for
        return {"Role": Role, "local": to_local, "lang": session.get("lang", "zh"),
                "nav_items": items_for}

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        from ..types import to_local
        return to_local(value).strftime(fmt) if value else ""
