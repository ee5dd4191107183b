from ..rest import Blueprint, current_user
from . import services
from .schemas import ReportArgs, ReportRowSchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Reports (SPEC §9): figures per rep, province or region over a period")


@blp.route("/meetings")
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportRowSchema(many=True))
def meeting_report(args):
    """One row per group within the caller's visibility; rates are pooled"""
    period = services.Period(args.get("from_"), args.get("to"))
    return services.meeting_report(current_user(), args["group_by"], period)
