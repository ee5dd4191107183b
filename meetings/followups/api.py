from ..rest import Blueprint, SelectPage, current_user
from . import services
from .schemas import CompleteArgs, FollowUpFilter, FollowUpSchema

blp = Blueprint("followups", __name__, url_prefix="/api/v1/followups",
                description="Follow-up tasks after a meeting: visits, gift deliveries, answer relays")


@blp.route("")
@blp.arguments(FollowUpFilter, location="query")
@blp.response(200, FollowUpSchema(many=True))
@blp.paginate(SelectPage)
def list_followups(args):
    """Tasks the caller sees; `status=overdue` lists the open ones past due"""
    return services.list_followups(current_user(), **args)


@blp.route("/<int:followup_id>")
@blp.response(200, FollowUpSchema)
def get_followup(followup_id):
    return services.get_followup(current_user(), followup_id)


@blp.route("/<int:followup_id>", methods=["PATCH"])
@blp.arguments(CompleteArgs)
@blp.response(200, FollowUpSchema)
def complete_followup(args, followup_id):
    """Record the outcome: `{status: "done", outcome, notes, question?}` (assignee only)"""
    user = current_user()
    task = services.complete(user, services.get_followup(user, followup_id, for_update=True), **args)
    return task
