"""The server-rendered pages: every domain's blueprint registered, the login
manager's user loader and the template context. Nothing imports this module
but the app factory, so the domains may import the web toolkit without a cycle."""
from __future__ import annotations

from flask import session

from .agenda.views import bp as agenda_web
from .auth.models import Role, User
from .auth.views import bp as auth_web
from .checkin.views import bp as checkin, staff_bp as checkin_staff
from .doctors.views import bp as doctors_web
from .exports.views import bp as exports_web
from .extensions import db, login_manager
from .followups.views import bp as followups_web
from .dossier.invitee_views import bp as invitees_web
from .notifications.views import bp as notifications_web
from .orgs.views import bp as orgs_web
from .dossier.meeting_views import bp as meetings_web
from .questions.views import bp as questions_web
from .reports.views import bp as reports_web
from .summary.views import bp as summary_web
from .types import to_local
from .web import bp, commit_writes
from .web.nav import items_for


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))


login_manager.login_view = "auth_web.login"


def register_web(app) -> None:
    for blueprint in (bp, auth_web, orgs_web, doctors_web, meetings_web, invitees_web, checkin,
                      checkin_staff, agenda_web, summary_web, questions_web, followups_web, notifications_web,
                      exports_web, reports_web):
        app.register_blueprint(blueprint)
        for endpoint, view in list(app.view_functions.items()):
            if endpoint.startswith(f"{blueprint.name}."):
                app.view_functions[endpoint] = commit_writes(view)

    @app.context_processor
    def inject():
        return {"Role": Role, "local": to_local, "lang": session.get("lang", "zh"),
                "nav_items": items_for}

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        return to_local(value).strftime(fmt) if value else ""
