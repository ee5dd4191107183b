import marshmallow as ma
from marshmallow import fields

from ..rest import Args, LocalDateTime, Name
from .models import FlagStatus


class FlagArgs(Args):
    reason = Name(2000)


class FlagAnswerArgs(Args):
    comment = Name(2000)


class FlagSchema(ma.Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    reason = fields.String()
    status = fields.Enum(FlagStatus, by_value=True)
    open = fields.Boolean()
    raised_by_id = fields.Integer()
    raised_at = LocalDateTime()
    answer = fields.String(allow_none=True)
    answered_by_id = fields.Integer(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)
    resolved_by_id = fields.Integer(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
