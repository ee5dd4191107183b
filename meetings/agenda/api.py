from ..proposals.services import get_meeting
from ..rest import Blueprint, current_user
from . import services
from .schemas import AgendaArgs, AgendaSchema, ChecklistArgs, ChecklistSchema

blp = Blueprint("agenda", __name__, url_prefix="/api/v1/meetings",
                description="Agenda timing, run-of-show and the materials checklist")


@blp.route("/<int:meeting_id>/agenda")
@blp.response(200, AgendaSchema)
def get_agenda(meeting_id):
    return services.run_report(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/agenda", methods=["PUT"])
@blp.arguments(AgendaArgs)
@blp.response(200, AgendaSchema)
def put_agenda(args, meeting_id):
    user = current_user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    services.replace_agenda(user, meeting, **args)
    return services.run_report(meeting)


def _segment_action(name, func):
    def view(meeting_id, segment_id):
        user = current_user()
        meeting = get_meeting(user, meeting_id, for_update=True)
        func(user, meeting, services.get_segment(meeting, segment_id))
        return services.run_report(meeting)

    view.__name__ = f"{name}_segment"
    view.__doc__ = (f"{name.capitalize()} a segment on the day (those who run the meeting; "
                    "409 unless the meeting is in progress and the segment allows it)")
    return view


for _name, _func in (("start", services.start_segment), ("finish", services.finish_segment)):
    blp.route(f"/<int:meeting_id>/agenda/<int:segment_id>/{_name}", methods=["POST"])(
        blp.response(200, AgendaSchema)(_segment_action(_name, _func)))


def _checklist(meeting):
    return {"items": services.checklist(meeting), "unticked": services.unticked(meeting),
            **services.arrival_times(meeting)}


@blp.route("/<int:meeting_id>/checklist")
@blp.response(200, ChecklistSchema)
def get_checklist(meeting_id):
    return _checklist(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/checklist", methods=["PUT"])
@blp.arguments(ChecklistArgs)
@blp.response(200, ChecklistSchema)
def put_checklist(args, meeting_id):
    user = current_user()
    meeting = get_meeting(user, meeting_id, for_update=True)
    services.update_checklist(user, meeting, **args)
    return _checklist(meeting)
