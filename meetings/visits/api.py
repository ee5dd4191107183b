from ..rest import Blueprint, SelectPage, current_user
from . import plans, services
from .schemas import (MonthArgs, PlanReportRowSchema, PlanRowSchema, ReportWeekArgs, UpgradePlanArgs,
                      UpgradePlanSchema, VisitArgs, VisitFilter, VisitReportRowSchema, VisitSchema, WeekArgs)

blp = Blueprint("visits", __name__, url_prefix="/api/v1",
                description="Routine visits (SPEC §15): visits, the week's plan by grade, planned vs done")


@blp.route("/visits")
@blp.arguments(VisitFilter, location="query")
@blp.response(200, VisitSchema(many=True))
@blp.paginate(SelectPage)
def list_visits(args):
    """Visits the caller sees, newest first (`from`/`to` local dates, included)"""
    return services.list_visits(current_user(), **args)


@blp.route("/visits", methods=["POST"])
@blp.arguments(VisitArgs)
@blp.response(201, VisitSchema)
def create_visit(args):
    """Record a visit (reps and managers, to doctors of hospitals they see)"""
    return services.create_visit(current_user(), **args)


@blp.route("/visits/<int:visit_id>")
@blp.response(200, VisitSchema)
def get_visit(visit_id):
    return services.get_visit(current_user(), visit_id)


@blp.route("/visit-plan")
@blp.arguments(WeekArgs, location="query")
@blp.response(200, PlanRowSchema(many=True))
def visit_plan(args):
    """The doctors of the caller's (or, for managers, `rep_id`'s) plan in the week, with `due`"""
    monday = services.parse_week(args.get("week"))
    rows = services.plan_for(current_user(), monday, args.get("rep_id"))
    return rows  # the schema dumps the declared fields (dates as ISO text)


@blp.route("/reports/visits")
@blp.arguments(ReportWeekArgs, location="query")
@blp.response(200, VisitReportRowSchema(many=True))
def visit_report(args):
    """Per rep the caller sees: planned, done, rate within the week"""
    return services.visit_report(current_user(), services.parse_week(args.get("week")))


class PlanPage(SelectPage):
    """The page's plans as JSON values, their results computed for the page at once."""

    def read(self, first_item: int, page_size: int) -> list:
        return plans.as_json(super().read(first_item, page_size))


@blp.route("/upgrade-plans")
@blp.response(200, UpgradePlanSchema(many=True))
@blp.paginate(PlanPage)
def list_plans():
    """Upgrade plans the caller sees; a finished one carries its result"""
    return plans.list_plans(current_user())


@blp.route("/upgrade-plans", methods=["POST"])
@blp.arguments(UpgradePlanArgs)
@blp.response(201, UpgradePlanSchema)
def create_plan(args):
    """Propose a plan: a B doctor (or a D doctor near high potential), ≥ 3 activities, 30–62 days"""
    return plans.as_json([plans.create_plan(current_user(), **args)])[0]


@blp.route("/upgrade-plans/<int:plan_id>")
@blp.response(200, UpgradePlanSchema)
def get_plan(plan_id):
    return plans.as_json([plans.get_plan(current_user(), plan_id)])[0]


@blp.route("/upgrade-plans/<int:plan_id>/approve", methods=["POST"])
@blp.response(200, UpgradePlanSchema)
def approve_plan(plan_id):
    """The provincial manager approves"""
    user = current_user()
    return plans.as_json([plans.approve(user, plans.get_plan(user, plan_id))])[0]


@blp.route("/reports/upgrade-plans")
@blp.arguments(MonthArgs, location="query")
@blp.response(200, PlanReportRowSchema(many=True))
def plan_report(args):
    """Per rep: target, started, finished, succeeded in the month"""
    return plans.plan_report(current_user(), plans.parse_month(args.get("month")))


@blp.route("/upgrade-plans/<int:plan_id>/activities/<int:activity_id>/done", methods=["POST"])
@blp.response(200, UpgradePlanSchema)
def activity_done(plan_id, activity_id):
    """The plan's rep ticks an activity"""
    user = current_user()
    return plans.as_json([plans.mark_done(user, plans.get_plan(user, plan_id), activity_id)])[0]
