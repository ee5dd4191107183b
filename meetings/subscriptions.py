"""Who listens to what (meetings/signals.py), connected once by the app
factory. Nothing imports this module but the app factory."""
from __future__ import annotations

from .agenda import services as agenda
from .evidence import services as evidence
from .flags import services as flags
from .followups import services as followups
from .invitees import services as invitees
from .notifications import subscribers as notifications
from .proposals import services as proposals
from .summary import shares

# proposals: refuses moving a hospital or department that has meetings;
# agenda: prepares a new meeting; invitees: the refusals at submit;
# shares: the annual cap per doctor, handed to the invitee list and submit;
# flags: an open compliance flag keeps a meeting from closing;
# evidence: receipts, the paper sheet's scan and photos the close gate asks for;
# followups: tasks when a meeting is held, a late check-in, an answered question;
# notifications: approvers, owners, marketing and reps told what concerns them.
DOMAINS = (proposals, agenda, invitees, shares, flags, evidence, followups, notifications)


def connect_all() -> None:
    for domain in DOMAINS:
        domain.connect()
