from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import db
from ..web.nav import nav_item
from . import services

bp = Blueprint("notifications_web", __name__)
nav_item("notifications_web.inbox", _l("Notifications"), order=95)
nav_item("notifications_web.outbox", _l("Outbox"), roles={Role.admin}, order=99)


@bp.app_context_processor
def unread():
    """The unread count in the menu, counted only when the menu asks."""
    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = services.unread_count(current_user)
        return g.unread_notifications
    return {"unread_notifications": count}


@bp.route("/notifications")
@login_required
def inbox():
    items = db.session.scalars(services.for_user(current_user).limit(200)).all()
    return render_template("notifications/inbox.html", items=items)


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    marked = services.mark_all_read(current_user)
    flash(_("%(n)s notifications marked as read.", n=marked) if marked else _("Nothing was unread."), "success")
    return redirect(url_for("notifications_web.inbox"))


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
