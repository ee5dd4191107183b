from ..proposals.services import get_meeting
from ..rest import Blueprint, current_user
from ..invitees import services
from .invitee_schemas import InviteeArgs, InviteeSchema

blp = Blueprint("invitees", __name__, url_prefix="/api/v1/meetings",
                description="Invitee lists and A/B backups")


@blp.route("/<int:meeting_id>/invitees")
@blp.response(200, InviteeSchema(many=True))
def list_invitees(meeting_id):
    return services.list_invitees(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/invitees", methods=["POST"])
@blp.arguments(InviteeArgs)
@blp.response(201, InviteeSchema)
def add_invitee(args, meeting_id):
    user = current_user()
    invitee = services.add_invitee(user, get_meeting(user, meeting_id, for_update=True), **args)
    return invitee


@blp.route("/<int:meeting_id>/invitees/<int:invitee_id>")
@blp.response(200, InviteeSchema)
def get_invitee(meeting_id, invitee_id):
    return services.get_invitee(get_meeting(current_user(), meeting_id), invitee_id)


@blp.route("/<int:meeting_id>/invitees/<int:invitee_id>", methods=["DELETE"])
@blp.response(204)
def remove_invitee(meeting_id, invitee_id):
    user = current_user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    services.remove_invitee(user, meeting, services.get_invitee(meeting, invitee_id))


def _invitee_action(name, func):
    def view(meeting_id, invitee_id):
        user = current_user()
        meeting = get_meeting(user, meeting_id, for_update=True)
        invitee = func(user, meeting, services.get_invitee(meeting, invitee_id))
        return invitee

    view.__name__ = f"{name}_invitee"
    return view


for _name, _func in (("confirm", services.confirm), ("decline", services.decline)):
    blp.route(f"/<int:meeting_id>/invitees/<int:invitee_id>/{_name}", methods=["POST"])(
        blp.response(200, InviteeSchema)(_invitee_action(_name, _func)))
