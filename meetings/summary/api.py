from ..proposals.services import get_meeting
from ..rest import Blueprint, current_user
from ..pdf.base import pdf_response
from . import services
from .form import render
from .schemas import SummaryArgs, SummarySchema

blp = Blueprint("summary", __name__, url_prefix="/api/v1/meetings",
                description="The meeting summary (会议总结表) and its reconciliation")


@blp.route("/<int:meeting_id>/summary")
@blp.response(200, SummarySchema)
def get_summary(meeting_id):
    return services.report(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/summary", methods=["PUT"])
@blp.arguments(SummaryArgs)
@blp.response(200, SummarySchema)
def put_summary(args, meeting_id):
    user = current_user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    services.save_summary(user, meeting, **args)
    return services.report(meeting)


@blp.route("/<int:meeting_id>/summary.pdf")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The printable summary form (会议总结表, A4); 404 while the meeting "
              "has no summary")
def summary_pdf(meeting_id):
    meeting = get_meeting(current_user(), meeting_id)
    return pdf_response(render(meeting), f"summary-{meeting.id}.pdf")
