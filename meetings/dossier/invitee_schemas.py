import marshmallow as ma
from marshmallow import fields

from ..checkin import services as _checkin
from ..doctors.services import grade_of, is_key
from ..rest import Args, Id
from ..invitees.models import InviteeRole, InviteeStatus


class InviteeArgs(Args):
    doctor_id = Id(required=True)
    role = fields.Enum(InviteeRole, by_value=True, load_default=InviteeRole.primary)
    backup_for = Id(allow_none=True)


class InviteeSchema(ma.Schema):
    id = fields.Integer()
    doctor_id = fields.Integer()
    name = fields.Function(lambda i: i.doctor.name)
    role = fields.Enum(InviteeRole, by_value=True)
    backup_for = fields.Integer(attribute="backup_for_id", allow_none=True)
    status = fields.Enum(InviteeStatus, by_value=True)
    grade = fields.Function(lambda i: grade_of(i.doctor).value)
    key = fields.Function(lambda i: is_key(i.doctor))
    promoted = fields.Function(lambda i: i.promoted_at is not None)
    # SPEC §3: attended ATTENDANCE_FREQUENCY_LIMIT+ meetings in the last
    # ATTENDANCE_FREQUENCY_DAYS — a warning, repeat attendance draws scrutiny
    frequent = fields.Function(lambda i: _checkin.is_frequent(i))
    recent_meetings = fields.Function(lambda i: _checkin.recent_attendance(i.meeting).get(i.doctor_id, 0))
