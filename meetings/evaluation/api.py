from ..rest import Blueprint, current_user
from . import services
from .schemas import (BudgetReportArgs, BudgetRowSchema, DoctorSpendSchema, ScorecardSchema,
                      SpendArgs)

blp = Blueprint("evaluation", __name__, url_prefix="/api/v1",
                description="Evaluation (效果评估): scorecards, spend per doctor, budget vs actual")


@blp.route("/meetings/<int:meeting_id>/scorecard")
@blp.response(200, ScorecardSchema)
@blp.alt_response(409, description="the meeting has not been held yet (reason invalid_transition)")
def scorecard(meeting_id):
    return services.scorecard(current_user(), meeting_id)


@blp.route("/doctors/<int:doctor_id>/spend")
@blp.arguments(SpendArgs, location="query")
@blp.response(200, DoctorSpendSchema)
def doctor_spend(args, doctor_id):
    return services.doctor_spend(current_user(), doctor_id, args.get("year"))


@blp.route("/reports/budgets")
@blp.arguments(BudgetReportArgs, location="query")
@blp.response(200, BudgetRowSchema(many=True))
def budgets(args):
    return services.budget_rows(current_user(), args.get("period"))
