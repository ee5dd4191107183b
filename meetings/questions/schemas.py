import marshmallow as ma
from marshmallow import fields

from ..rest import Args, LocalDateTime, Name, QueryId
from .models import QuestionSource, QuestionStatus


class QuestionFilter(Args):
    status = fields.Enum(QuestionStatus, by_value=True)
    meeting_id = QueryId()


class AnswerArgs(Args):
    answer = Name(5000)


class QuestionSchema(ma.Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    doctor_id = fields.Integer(allow_none=True)
    doctor_name = fields.Function(lambda q: q.doctor.name if q.doctor else None)
    text = fields.String()
    status = fields.Enum(QuestionStatus, by_value=True)
    answer = fields.String(allow_none=True)
    source = fields.Enum(QuestionSource, by_value=True)
    resolved = fields.Boolean(allow_none=True)
    evidence_note = fields.String(allow_none=True)
    answered_by_id = fields.Integer(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
