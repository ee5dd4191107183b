import marshmallow as ma
from marshmallow import fields, validate

from ..agenda.schemas import AgendaSchema
from ..proposals.models import BudgetCategory
from ..questions.models import QuestionSource, QuestionStatus
from ..rest import Args, Id, LocalDateTime, Money, Name, Text


class SummaryQuestionArgs(Args):
    text = Name(1000)
    doctor_id = Id(allow_none=True, load_default=None)


class SpendLineArgs(Args):
    category = fields.Enum(BudgetCategory, by_value=True, required=True)
    amount = Money(required=True)
    note = Text(200, allow_none=True)


class SummaryArgs(Args):
    organization = Text(5000, allow_none=True)
    agenda_notes = Text(5000, allow_none=True)
    feedback = Text(5000, allow_none=True)
    chief_endorsed = Text(5000, allow_none=True)
    chief_disputed = Text(5000, allow_none=True)
    next_steps = Text(5000, allow_none=True)
    overspend_reason = Text(2000, allow_none=True)  # required when actual > approved (SPEC §3)
    questions = fields.List(fields.Nested(SummaryQuestionArgs), load_default=list,
                            validate=validate.Length(max=50))
    actual_spend = fields.List(fields.Nested(SpendLineArgs), load_default=list,
                               validate=validate.Length(max=50))


def _money(**kw):
    return fields.Decimal(as_string=True, places=2, **kw)


class SpendLineSchema(ma.Schema):
    category = fields.Enum(BudgetCategory, by_value=True)
    amount = _money()
    note = fields.String(allow_none=True)


class CategoryVarianceSchema(ma.Schema):
    category = fields.Enum(BudgetCategory, by_value=True)
    approved = _money()
    actual = _money()
    variance = _money()


class SummaryQuestionSchema(ma.Schema):
    id = fields.Integer()
    text = fields.String()
    doctor_id = fields.Integer(allow_none=True)
    status = fields.Enum(QuestionStatus, by_value=True)
    answer = fields.String(allow_none=True)
    source = fields.Enum(QuestionSource, by_value=True)


class SummarySchema(ma.Schema):
    """Dumps summary.services.report(meeting)."""
    meeting_id = fields.Integer(attribute="meeting.id")
    organization = fields.String(attribute="summary.organization", allow_none=True)
    agenda_notes = fields.String(attribute="summary.agenda_notes", allow_none=True)
    feedback = fields.String(attribute="summary.feedback", allow_none=True)
    chief_endorsed = fields.String(attribute="summary.chief_endorsed", allow_none=True)
    chief_disputed = fields.String(attribute="summary.chief_disputed", allow_none=True)
    next_steps = fields.String(attribute="summary.next_steps", allow_none=True)
    overspend_reason = fields.String(attribute="summary.overspend_reason", allow_none=True)
    questions = fields.List(fields.Nested(SummaryQuestionSchema))
    chief_questions = fields.List(fields.Nested(SummaryQuestionSchema),
                                  metadata={"description": "the chief's disputed points, one question each (SPEC §15)"})
    actual_spend = fields.List(fields.Nested(SpendLineSchema), attribute="summary.spend_lines")
    actual_total = _money()
    approved_total = _money()
    variance = _money()
    by_category = fields.List(fields.Nested(CategoryVarianceSchema))
    attendance = fields.Raw(allow_none=True)
    agenda = fields.Nested(AgendaSchema)
    author_id = fields.Integer(attribute="summary.author_id")
    submitted_at = LocalDateTime(attribute="summary.submitted_at")
    updated_at = LocalDateTime(attribute="summary.updated_at")
