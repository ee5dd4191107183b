"""The advice shown with a meeting: its sizing (the meeting's own rule) and
its invitees' attendance frequency (counted from check-ins)."""
from __future__ import annotations

from ..checkin.services import frequency_warnings
from ..proposals.services import meeting_sizing_warnings


def meeting_warnings(meeting) -> list[str]:
    return meeting_sizing_warnings(meeting) + frequency_warnings(meeting)
