"""The server-rendered pages: every domain's blueprint registered, the login
manager's user loader and the template context. Nothing imports this module
but the app factory, so the domains may import the web toolkit without a cycle."""
from __future__ import annotations

import time

from flask import current_app, session

from .agenda.views import bp as agenda_web
from .audit.views import bp as audit_web
from .auth.models import Role, User
from .auth.views import bp as auth_web
from .checkin.views import bp as checkin, staff_bp as checkin_staff
from .compliance.views import bp as compliance_web
from .doctors.views import bp as doctors_web
from .exports.views import bp as exports_web
from .extensions import db, login_manager
from .flags.views import bp as flags_web
from .followups.views import bp as followups_web
from .dossier.invitee_views import bp as invitees_web
from .notifications.views import bp as notifications_web
from .orgs.views import bp as orgs_web
from .dossier.meeting_views import bp as meetings_web
from .questions.views import bp as questions_web
from .reports.views import bp as reports_web
from .summary.views import bp as summary_web
from .prescriptions.views import bp as prescriptions_web
from .evaluation.views import bp as evaluation_web
from .evidence.views import bp as evidence_web
from .types import to_local
from .visits.views import bp as visits_web
from .web import bp
from .web.nav import items_for
from .web.panels import render_panels
from .web.sessions import within


@login_manager.user_loader
def load_user(user_id: str):
    """The session's user, while the session is valid: made under the user's
    current session version (logout everywhere, a password change and
    deactivation bump it), used within SESSION_IDLE_TIMEOUT and younger than
    SESSION_MAX_AGE. Times a little in the future (another worker's clock)
    count as now; further ahead end the session (web.sessions.CLOCK_SKEW)."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError, OverflowError):
        return None
    now = int(time.time())
    config = current_app.config
    seen_ago = now - int(session.get("seen_at") or 0)
    if (user is None or session.get("sv") != user.session_version
            or not within(now - int(session.get("login_at") or 0), config["SESSION_MAX_AGE"])
            or not within(seen_ago, config["SESSION_IDLE_TIMEOUT"])):
        session.clear()
        return None
    # Refresh the idle clock now and then (a tenth of the idle limit), not on
    # every request: each refresh re-signs and resends the cookie.
    if seen_ago > max(60, config["SESSION_IDLE_TIMEOUT"] // 10):
        session["seen_at"] = now
    return user


login_manager.login_view = "auth_web.login"


def register_web(app) -> None:
    for blueprint in (bp, auth_web, orgs_web, doctors_web, meetings_web, invitees_web, checkin,
                      checkin_staff, agenda_web, summary_web, questions_web, flags_web, followups_web,
                      notifications_web, prescriptions_web, evaluation_web, compliance_web, evidence_web, audit_web,
                      exports_web, reports_web, visits_web):
        app.register_blueprint(blueprint)

    @app.context_processor
    def inject():
        return {"Role": Role, "local": to_local, "lang": session.get("lang", "zh"),
                "nav_items": items_for, "panels": render_panels}

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        return to_local(value).strftime(fmt) if value else ""
