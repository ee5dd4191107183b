"""Who listens to what (meetings/signals.py), connected once by the app
factory. Nothing imports this module but the app factory."""
from __future__ import annotations

from .agenda import services as agenda
from .followups import services as followups
from .invitees import services as invitees
from .notifications import subscribers as notifications
from .proposals import services as proposals

# proposals: refuses moving a hospital or department that has meetings;
# agenda: prepares a new meeting; invitees: the refusals at submit;
# followups: tasks when a meeting is held, a late check-in, an answered question;
# notifications: approvers, owners, marketing and reps told what concerns them.
DOMAINS = (proposals, agenda, invitees, followups, notifications)


def connect_all() -> None:
    for domain in DOMAINS:
        domain.connect()
