from ..rest import ActionArgs, Blueprint, SelectPage, count_of, current_user
from ..pdf.base import pdf_response
from ..proposals import services
from .proposal_form import render
from .meeting_list import list_items
from .meeting_schemas import (MeetingArgs, MeetingFilter, MeetingListItemSchema, MeetingPatchArgs,
                              MeetingSchema)

blp = Blueprint("meetings", __name__, url_prefix="/api/v1/meetings",
                description="Meetings (科室会): proposal, approval and the lifecycle")


class MeetingPage(SelectPage):
    """A page of the list read as rows (meeting_list.py): the search
    (proposals.services.Search) run as one statement, the total counted in
    it."""

    def read(self, first_item: int, page_size: int) -> list:
        items, self.counted = list_items(self.collection, first_item, page_size)
        return items

    @property
    def item_count(self):  # a page past the end: no row carries the total
        return count_of(self.collection.statement, self.collection.values)


@blp.route("")
@blp.arguments(MeetingFilter, location="query")
@blp.response(200, MeetingListItemSchema(many=True))
@blp.paginate(MeetingPage)
def list_meetings(args):
    """Meetings the caller sees, oldest first. A list item carries what
    GET /meetings/{id} does but warnings, history and to_reconfirm."""
    return services.meeting_search(current_user(), **args)


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
