"""Links for the outside world (SPEC §10): QR codes, e-mails and feeds start
with PUBLIC_URL, whatever Host header a request carried — a forged Host must
never end up in a printed QR code or a mail."""
from __future__ import annotations

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    base = current_app.config.get("PUBLIC_URL")
    if base:
        # the path alone, under PUBLIC_URL (which may carry its own prefix)
        return base.rstrip("/") + url_for(endpoint, _external=False, **values)
    return url_for(endpoint, _external=True, **values)
