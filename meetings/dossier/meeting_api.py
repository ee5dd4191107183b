from sqlalchemy.orm import selectinload

from ..rest import ActionArgs, Blueprint, SelectPage, current_user
from ..pdf.base import pdf_response
from ..proposals import services
from .proposal_form import render
from ..invitees.models import Invitee
from ..proposals.models import Meeting
from .meeting_schemas import MeetingArgs, MeetingFilter, MeetingPatchArgs, MeetingSchema

def list_loading() -> tuple:
    """What MeetingSchema shows of each meeting, loaded for a whole page at once."""
    return (selectinload(Meeting.budget_lines), selectinload(Meeting.staff),
            selectinload(Meeting.history),
            # the invitees with their doctors joined: a page of 500 meetings has
            # thousands of invitees, and a second selectinload would take their
            # doctors 500 ids a statement (8 statements instead of none)
            selectinload(Meeting.invitees).joinedload(Invitee.doctor, innerjoin=True))

blp = Blueprint("meetings", __name__, url_prefix="/api/v1/meetings",
                description="Meetings (科室会): proposal, approval and the lifecycle")


@blp.route("")
@blp.arguments(MeetingFilter, location="query")
@blp.response(200, MeetingSchema(many=True))
@blp.paginate(SelectPage)
def list_meetings(args):
    """Meetings the caller sees, oldest first; a page's budgets, staff,
    history and invitees are loaded in one statement each."""
    return services.search_meetings(current_user(), **args).options(*list_loading())


@blp.route("", methods=["POST"])
@blp.arguments(MeetingArgs)
@blp.response(201, MeetingSchema)
def create_meeting(args):
    meeting = services.create_meeting(current_user(), **args)
    return meeting


@blp.route("/<int:meeting_id>")
@blp.response(200, MeetingSchema)
def get_meeting(meeting_id):
    return services.get_meeting(current_user(), meeting_id)


@blp.route("/<int:meeting_id>", methods=["PATCH"])
@blp.arguments(MeetingPatchArgs)
@blp.response(200, MeetingSchema)
def update_meeting(args, meeting_id):
    user = current_user()
    meeting = services.update_meeting(user, services.get_meeting(user, meeting_id, for_update=True),
                                      **args)
    return meeting


@blp.route("/<int:meeting_id>/proposal.pdf")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="The printable proposal (科室会申请表, A4) for the approval file")
def proposal_pdf(meeting_id):
    meeting = services.get_meeting(current_user(), meeting_id)
    return pdf_response(render(meeting), f"proposal-{meeting.id}.pdf")


def _action_view(action: str):
    def view(args, meeting_id):
        meeting = services.perform(current_user(), meeting_id, action, args.get("comment"))
        return meeting

    view.__name__ = f"{action}_meeting"
    view.__doc__ = f"{action.capitalize()} the meeting (409 when its state does not allow it)"
    return view


for _action in services.ACTIONS:
    blp.route(f"/<int:meeting_id>/{_action}", methods=["POST"])(
        blp.arguments(ActionArgs)(blp.response(200, MeetingSchema)(_action_view(_action))))
