"""The page session's cookie: Flask's signed cookie, tolerant of a little
clock skew.

Gunicorn workers (or hosts) never agree on the time to the second, and tests
freeze the clock with time_machine. itsdangerous refuses any signature dated
in the future, so a cookie signed by a worker one second ahead ended the
session on the next worker. Up to CLOCK_SKEW ahead is accepted here, as the
user loader (meetings/pages.py) accepts a last-seen or login time up to
CLOCK_SKEW ahead; further ahead is no skew but a fault, and ends the session
(a time from the future must not stretch the session's own limits).
"""
from __future__ import annotations

import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

CLOCK_SKEW = 300  # seconds, as the check-in's queue allows (checkin.services.CLOCK_SKEW)


def within(seconds_ago: float, limit: float) -> bool:
    """An age that is neither past `limit` nor further in the future than
    the clocks' skew."""
    return -CLOCK_SKEW <= seconds_ago <= limit


class SkewTolerantSessionInterface(SecureCookieSessionInterface):
    """Flask's open_session, with the age check done here: not older than
    the permanent session's lifetime, not younger than -CLOCK_SKEW."""

    def open_session(self, app, request):
        if not app.secret_key:
            return None  # as Flask's: no key, no session
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            # an API call or a first visit: no serializer built (~25 µs) to read nothing
            return self.session_class()
        serializer = self.get_signing_serializer(app)
        try:
            data, signed_at = serializer.loads(value, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if not within(time.time() - signed_at.timestamp(), app.permanent_session_lifetime.total_seconds()):
            return self.session_class()
        return self.session_class(data)
