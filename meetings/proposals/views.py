from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..extensions import db
from ..web.nav import nav_item
from . import services
from .models import Meeting

bp = Blueprint("meetings_web", __name__, url_prefix="/meetings")
nav_item("meetings_web.list_meetings", _l("Meetings"), order=10)


@bp.route("")
@login_required
def list_meetings():
    meetings = db.session.scalars(
        services.visible_meetings(current_user).order_by(Meeting.starts_at.desc())).all()
    return render_template("meetings/list.html", meetings=meetings)
