"""The dashboard page: the landing page of reps, managers and marketing."""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.models import Role
from ..errors import InvalidInput
from ..web.forms import form_dict, parse
from ..web.nav import landing_page, nav_item
from . import dashboards
from .schemas import PeriodArgs
from .services import Period

bp = Blueprint("reports_web", __name__)
nav_item("reports_web.dashboard", _l("Dashboard"), order=5,
         roles={Role.rep, Role.provincial_manager, Role.regional_manager, Role.marketing, Role.admin})
landing_page("reports_web.dashboard",
             roles={Role.rep, Role.provincial_manager, Role.regional_manager, Role.marketing})


@bp.route("/dashboard")
@login_required
def dashboard():
    args, errors = parse(PeriodArgs(), form_dict(request.args))
    default = dashboards.default_period()
    period = Period(args.get("from_", default.start), args.get("to", default.end)) if args else default
    try:
        sections = dashboards.dashboard(current_user, period)
    except InvalidInput as exc:
        errors, period = {exc.field: exc.message}, default
        sections = dashboards.dashboard(current_user, period)
    return render_template("reports/dashboard.html", sections=sections, period=period, errors=errors,
                           open_questions=dashboards.open_questions(current_user)
                           if current_user.role in (Role.marketing, Role.admin) else None), \
        (422 if errors else 200)
