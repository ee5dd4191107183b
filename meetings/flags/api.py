from ..proposals.services import get_meeting
from ..rest import Blueprint, current_user
from . import services
from .schemas import FlagAnswerArgs, FlagArgs, FlagSchema

blp = Blueprint("flags", __name__, url_prefix="/api/v1/meetings",
                description="Compliance flags on a meeting (SPEC §12): raised by compliance, "
                            "answered by the owner or the provincial manager, resolved by compliance")


@blp.route("/<int:meeting_id>/flags")
@blp.response(200, FlagSchema(many=True))
def list_flags(meeting_id):
    return services.flags_of(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/flags", methods=["POST"])
@blp.arguments(FlagArgs)
@blp.response(201, FlagSchema)
def raise_flag(args, meeting_id):
    user = current_user()
    return services.raise_flag(user, get_meeting(user, meeting_id, for_update=True), **args)


@blp.route("/<int:meeting_id>/flags/<int:flag_id>")
@blp.response(200, FlagSchema)
def get_flag(meeting_id, flag_id):
    return services.get_flag(get_meeting(current_user(), meeting_id), flag_id)


@blp.route("/<int:meeting_id>/flags/<int:flag_id>/answer", methods=["POST"])
@blp.arguments(FlagAnswerArgs)
@blp.response(200, FlagSchema)
def answer_flag(args, meeting_id, flag_id):
    user = current_user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    return services.answer(user, meeting, services.get_flag(meeting, flag_id, for_update=True), **args)


@blp.route("/<int:meeting_id>/flags/<int:flag_id>/resolve", methods=["POST"])
@blp.response(200, FlagSchema)
def resolve_flag(meeting_id, flag_id):
    user = current_user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    return services.resolve(user, meeting, services.get_flag(meeting, flag_id, for_update=True))
