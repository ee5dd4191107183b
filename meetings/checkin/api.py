
from ..pdf.base import pdf_response
from ..proposals.services import get_meeting
from ..rest import Blueprint, SelectPage, current_user
from . import services
from .schemas import AttendanceSchema, CheckInArgs, CheckInSchema
from .signin_sheet import render

blp = Blueprint("checkins", __name__, url_prefix="/api/v1/meetings",
                description="Sign-in on the day and attendance figures")


@blp.route("/<int:meeting_id>/checkins")
@blp.response(200, CheckInSchema(many=True))
@blp.paginate(SelectPage)
def list_checkins(meeting_id):
    return services.checkins_of(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/checkins", methods=["POST"])
@blp.arguments(CheckInArgs)
@blp.response(201, CheckInSchema, description="A new check-in")
@blp.alt_response(200, schema=CheckInSchema,
                  description="Already signed in (same doctor or same nonce): the first record")
def check_in(args, meeting_id):
    user = current_user()
    checkin, created = services.check_in(user, get_meeting(user, meeting_id), **args)
    return checkin, 201 if created else 200


@blp.route("/<int:meeting_id>/checkins/<int:checkin_id>")
@blp.response(200, CheckInSchema)
def get_checkin(meeting_id, checkin_id):
    return services.get_checkin(get_meeting(current_user(), meeting_id), checkin_id)


@blp.route("/<int:meeting_id>/attendance")
@blp.response(200, AttendanceSchema)
def attendance(meeting_id):
    return services.attendance(get_meeting(current_user(), meeting_id))


@blp.route("/<int:meeting_id>/sign-in-sheet.pdf")
@blp.response(200, description="The printable sign-in sheet (A4)", content_type="application/pdf")
def sign_in_sheet(meeting_id):
    meeting = get_meeting(current_user(), meeting_id)
    return pdf_response(render(meeting), f"sign-in-sheet-{meeting.id}.pdf")
