"""The API: every domain's blueprint registered on flask-smorest's Api.
Nothing imports this module but the app factory, so the domains may import
the rest toolkit (meetings/rest.py) without a cycle."""
from __future__ import annotations

from .agenda.api import blp as agenda
from .audit.api import blp as audit
from .auth.api import blp as users, tokens
from .checkin.api import blp as checkins
from .doctors.api import blp as doctors
from .exports.api import blp as exports, calendar_blp as calendar
from .flags.api import blp as flags
from .followups.api import blp as followups
from .dossier.invitee_api import blp as invitees
from .notifications.api import blp as notifications
from .orgs.api import provinces, regions
from .privacy.api import blp as privacy
from .dossier.meeting_api import blp as meetings
from .questions.api import blp as questions
from .reports.api import blp as reports
from .summary.api import blp as summary
from .prescriptions.api import blp as prescriptions
from .evaluation.api import blp as evaluation
from .evidence.api import blp as attachments
from .visits.api import blp as visits
from .rest import decimals_are_strings


def register_api(app, api, csrf) -> None:
    api.ma_plugin.converter.add_attribute_function(decimals_are_strings)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blp in (tokens, users, regions, provinces, doctors, meetings, invitees, checkins,
                agenda, summary, attachments, questions, flags, followups, notifications, prescriptions, evaluation,
                audit, privacy, reports, exports, calendar, visits):
        csrf.exempt(blp)  # bearer tokens, not cookies: no CSRF exposure
        api.register_blueprint(blp)
