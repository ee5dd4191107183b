from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from ..web.nav import nav_item
from . import services

bp = Blueprint("notifications_web", __name__)
nav_item("notifications_web.inbox", _l("Notifications"), order=95)
nav_item("notifications_web.outbox", _l("Outbox"), roles={Role.admin}, order=99)


@bp.route("/notifications")
@login_required
def inbox():
    items = db.session.scalars(services.for_user(current_user).limit(200)).all()
    return render_template("notifications/inbox.html", items=items)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id):
    notification = services.mark_read(current_user, notification_id)
    return redirect(notification.link or url_for("notifications_web.inbox"))


@bp.route("/admin/outbox")
@login_required
def outbox():
    if current_user.role != Role.admin:
        abort(403)
    mails = db.session.scalars(services.outbox().limit(500)).all()
    return render_template("notifications/outbox.html", mails=mails,
                           smtp=services.smtp_configured())
