"""The compliance view page: every meeting, newest first, with the filters of
services.FILTERS."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import Role
from ..dossier.meeting_views import list_page_loading
from ..extensions import db
from ..flags.models import Flag
from ..web.nav import landing_page, nav_item
from ..web.pages import roles_required
from . import services

bp = Blueprint("compliance_web", __name__, url_prefix="/compliance")
nav_item("compliance_web.review", _l("Compliance review"), roles=set(services.REVIEWERS), order=65)
landing_page("compliance_web.review", [Role.compliance])

PAGE_SIZE = 50


@bp.route("")
@roles_required(*services.REVIEWERS)
def review():
    name = request.args.get("filter") or None
    name = name if name in services.FILTERS else None
    page = max(request.args.get("page", 1, type=int), 1)
    query = services.review_search(current_user._get_current_object(), name).options(*list_page_loading())
    meetings = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    ids = [m.id for m in meetings]
    open_flags = {mid for (mid,) in db.session.execute(
        select(Flag.meeting_id).where(Flag.meeting_id.in_(ids), Flag.resolved_at.is_(None)))} if ids else set()
    return render_template("compliance/review.html", meetings=meetings[:PAGE_SIZE], filters=services.FILTERS,
                           current=name, page=page, more=len(meetings) > PAGE_SIZE, open_flags=open_flags)
