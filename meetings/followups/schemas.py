import marshmallow as ma
from marshmallow import fields, validate

from ..rest import Args, Id, LocalDateTime, QueryId, Text
from . import services
from .models import FollowUpKind, FollowUpStatus, Outcome


class FollowUpFilter(Args):
    assignee_id = QueryId()
    status = fields.String(validate=validate.OneOf(["open", "done", "overdue"]))
    meeting_id = QueryId()


class ResolutionArgs(Args):
    question_id = Id(required=True)
    resolved = fields.Boolean(required=True)
    note = Text(2000, allow_none=True, metadata={"description": "not resolved: what evidence is missing"})


class CompleteArgs(Args):
    """PATCH body. `outcome` is checked by the service (422 naming it), so the
    page and the API refuse the same way."""
    status = fields.String(validate=validate.OneOf(["done"]))
    outcome = fields.String(allow_none=True, validate=validate.Length(max=32))
    notes = Text(5000, allow_none=True)
    question = Text(2000, allow_none=True)
    resolutions = fields.List(fields.Nested(ResolutionArgs), validate=validate.Length(max=100),
                              metadata={"description": "SPEC §15: for each answered question of the doctor "
                                                       "not yet marked resolved, whether it was"})


class FollowUpSchema(ma.Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    doctor_id = fields.Integer(allow_none=True)
    walk_in_name = fields.String(allow_none=True)
    person = fields.Function(lambda t: services.person_name(t))
    assignee_id = fields.Integer()
    kind = fields.Enum(FollowUpKind, by_value=True)
    not_before = fields.Date()
    due_on = fields.Date()
    status = fields.Enum(FollowUpStatus, by_value=True)
    overdue = fields.Function(lambda t: services.is_overdue(t))
    outcome = fields.Enum(Outcome, by_value=True, allow_none=True)
    notes = fields.String(allow_none=True)
    question_id = fields.Integer(allow_none=True)
    raised_question_id = fields.Integer(allow_none=True)
    completed_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
