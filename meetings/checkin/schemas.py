import marshmallow as ma
from marshmallow import fields, validate

from ..validation import Message
from ..doctors.models import Title
from ..rest import Args, Id, LocalDateTime, Text
from .models import SIGNATURE_MAX_BYTES, Source


class CheckInArgs(Args):
    """`{doctor_id}` for a doctor on record, or `{name, title}` for a walk-in."""
    doctor_id = Id(allow_none=True)
    name = Text(80, allow_none=True)
    title = fields.Enum(Title, by_value=True, allow_none=True)
    nonce = fields.String(allow_none=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{8,64}$", error=Message("8 to 64 letters, digits, hyphens or underscores")))
    source = fields.String(load_default=Source.staff.value,
                           validate=validate.OneOf([Source.staff.value, Source.paper.value]))
    checked_in_at = LocalDateTime(allow_none=True)
    meal_opt_in = fields.Boolean(load_default=False)
    # SPEC §5: a walk-in with the name and title of someone already counted is
    # refused unless the staff confirm it is another person
    same_name_ok = fields.Boolean(load_default=False)
    # a signature pad's data URL (data:image/png;base64,…)
    signature = fields.String(allow_none=True,
                              validate=validate.Length(max=SIGNATURE_MAX_BYTES * 4 // 3 + 64))


class CheckInSchema(ma.Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    doctor_id = fields.Integer(allow_none=True)
    invitee_id = fields.Integer(allow_none=True)
    name = fields.String()
    title = fields.Enum(Title, by_value=True)
    invited = fields.Boolean()
    source = fields.Enum(Source, by_value=True)
    checked_in_at = LocalDateTime()
    recorded_at = LocalDateTime()
    meal_opt_in = fields.Boolean()
    has_signature = fields.Boolean()
    voided_at = LocalDateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)


class VoidArgs(Args):
    reason = Text(500, required=True, multiline=False)


class AttendanceSchema(ma.Schema):
    expected = fields.Integer()
    present = fields.Integer()
    attended_invited = fields.Integer()
    attendance_rate = fields.Float(allow_none=True)
    accuracy_rate = fields.Float(allow_none=True)
    invited_attendance_rate = fields.Float(allow_none=True)
    key_expected = fields.Integer()
    key_present = fields.Integer()
    key_attendance_rate = fields.Float(allow_none=True)
