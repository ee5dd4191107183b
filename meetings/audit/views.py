"""The admin page of the action log: newest first, filtered like the API."""
from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..errors import InvalidInput
from ..extensions import db
from ..web.forms import flatten, integers
from ..web.nav import nav_item
from ..web.pages import roles_required
from . import services, words
from .schemas import AuditQueryArgs

bp = Blueprint("audit_web", __name__, url_prefix="/admin/audit")
nav_item("audit_web.log", _l("Action log"), roles=set(services.READERS), order=70)


@bp.route("")
@roles_required(*services.READERS)
def log():
    schema = AuditQueryArgs()
    sent = {k: v.strip() for k, v in request.args.items() if k in services.FILTERS and v.strip()}
    try:
        filters = schema.load(integers(schema, sent))
    except ma.ValidationError as exc:
        raise InvalidInput(errors=flatten(exc.messages)) from None
    query = services.search(current_user._get_current_object(), **filters)
    page = db.paginate(query, per_page=100, error_out=False)
    return render_template("audit/log.html", page=page, filters=sent,
                           entries=[(entry, words.entry_words(entry)) for entry in page.items],
                           actions=words.options("action"), object_types=words.options("object_type"))
