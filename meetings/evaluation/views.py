"""Pages: the scorecard on the meeting page, spend and meetings on the doctor
page, budget against actual on the province page and its own report page.
Lower domains' pages show these through panels (web.panels)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from ..auth.models import Role
from ..checkin.models import CheckIn
from ..extensions import db
from ..invitees.models import Invitee
from ..orgs.models import Province
from ..orgs.services import can_read_budgets, visible_provinces
from ..proposals.labels import status_text
from ..proposals.models import Meeting
from ..proposals.services import visible_meetings
from ..web.nav import nav_item
from ..web.pages import roles_required
from ..web.panels import panel
from . import services
from .schemas import BudgetReportArgs

bp = Blueprint("evaluation_web", __name__)

BUDGET_READERS = (Role.admin, Role.marketing, Role.provincial_manager, Role.regional_manager)
PART_LABELS = {"hardware": _l("Preparation (hardware)"), "execution": _l("Execution"),
               "followup": _l("Follow-up"), "effect": _l("Sales effect")}
nav_item("evaluation_web.budget_report", _l("Budget vs actual"), roles=BUDGET_READERS, order=76)


def _bars(rows: list[dict]) -> list[dict]:
    """Bar lengths (0–100) for the before/after chart, on one scale."""
    top = max([v for r in rows for v in (r["before"], r["after"]) if v] or [1])
    return [{**r, "before_w": round((r["before"] or 0) / top * 100, 1),
             "after_w": round((r["after"] or 0) / top * 100, 1)} for r in rows]


@panel("meeting")
def scorecard_panel(meeting, user):
    if meeting.status not in services.HELD:
        return None
    card = services.scorecards([meeting.id])[meeting.id]
    effect = card["effect"]
    doctors = services.effect_by_doctor(meeting, card)
    rows = doctors + [{"doctor_id": None, "name": _l("All attending invited doctors"),
                       "before": effect["before"], "after": effect["after"]}]
    return render_template("evaluation/_scorecard.html", card=card, labels=PART_LABELS,
                           rows=_bars(rows), effect=effect)


@panel("doctor")
def doctor_panel(doctor, user):
    year = request.args.get("year", type=int)
    spend = services.doctor_spend(user, doctor.id, year if year and 2000 <= year <= 2100 else None)
    shares = {m["meeting_id"]: m for m in spend["meetings"]}
    # invited, or signed in without an invitation (a walk-in has an actual share too)
    theirs = or_(Meeting.id.in_(select(Invitee.meeting_id).where(Invitee.doctor_id == doctor.id)),
                 Meeting.id.in_(select(CheckIn.meeting_id).where(CheckIn.doctor_id == doctor.id,
                                                                 CheckIn.voided_at.is_(None))))
    meetings = db.session.scalars(visible_meetings(user).where(theirs)
                                  .order_by(Meeting.starts_at.desc()).limit(100)).all()
    return render_template("evaluation/_doctor.html", spend=spend, shares=shares, meetings=meetings,
                           status_text=status_text)


@panel("province")
def province_panel(province, user):
    if not can_read_budgets(user, province):
        return None
    rows = services.budget_rows(user, province_id=province.id)
    return render_template("evaluation/_budget_rows.html", rows=rows, names={province.id: province.name},
                           show_province=False)


@panel("budgets")
def budgets_panel(provinces, user):
    """The budgets page (orgs): every visible province's quarters, as the report shows them."""
    if not provinces:
        return None
    return render_template("evaluation/_budget_rows.html", rows=services.budget_rows(user),
                           names={p.id: p.name for p in provinces}, show_province=True,
                           province_links=True)


@bp.route("/reports/budgets")
@roles_required(*BUDGET_READERS)
def budget_report():
    errors = BudgetReportArgs().validate({"period": request.args["period"]}) \
        if request.args.get("period") else {}
    period = None if errors else request.args.get("period") or None
    user = current_user._get_current_object()
    names = dict(db.session.execute(select(Province.id, Province.name)
                                    .where(Province.id.in_(visible_provinces(user)))).all())
    return render_template("evaluation/budgets.html", rows=services.budget_rows(user, period),
                           names=names, period=request.args.get("period", ""),
                           errors={k: "; ".join(v) for k, v in errors.items()}), 422 if errors else 200
