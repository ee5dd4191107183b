"""Who listens to what (meetings/signals.py), connected once by the app
factory. Nothing imports this module but the app factory."""
from __future__ import annotations

from .agenda import services as agenda
from .followups import services as followups
from .invitees import services as invitees

# agenda: prepares a new meeting; invitees: the refusals at submit;
# followups: tasks when a meeting is held, a late check-in, an answered question.
DOMAINS = (agenda, invitees, followups)


def connect_all() -> None:
    for domain in DOMAINS:
        domain.connect()
