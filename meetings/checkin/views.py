"""Self sign-in through the meeting's QR code (SPEC §5) — public, no account."""
from flask import Blueprint, abort

bp = Blueprint("checkin", __name__)


@bp.route("/checkin/<token>")
def self_checkin(token: str):
    # The doctor-facing page arrives with the on-the-day work (issue 4);
    # until then the link refuses like a wrong token does.
    abort(404)
