import marshmallow as ma
from marshmallow import fields, validate

from ..rest import Args, Id, LocalDateTime, QueryId, Text
from .models import Stage, VisitOutcome


def _in_years(value):
    if not 2000 <= value.year <= 2100:
        raise ma.ValidationError("Must be between the years 2000 and 2100.")


class VisitFilter(Args):
    doctor_id = QueryId()
    rep_id = QueryId()
    from_ = fields.Date(data_key="from", validate=_in_years,
                        metadata={"description": "first day (local), YYYY-MM-DD"})
    to = fields.Date(validate=_in_years, metadata={"description": "last day (local), YYYY-MM-DD"})


class VisitArgs(Args):
    """POST body. `outcome`, `stage` and the rules (when, how long, which
    doctor) are checked by the service, so page and API refuse alike."""
    doctor_id = Id(required=True)
    visited_at = LocalDateTime(required=True)
    minutes = fields.Integer(strict=True, required=True)
    purpose = Text(2000, required=True)
    key_message = Text(2000, allow_none=True)
    expected_objection = Text(2000, allow_none=True)
    next_step = Text(2000, allow_none=True)
    outcome = fields.String(required=True, validate=validate.Length(max=32))
    stage = fields.String(required=True, validate=validate.Length(max=32))
    notes = Text(5000, allow_none=True)
    question = Text(2000, allow_none=True, metadata={"description": "a new question for marketing"})


class VisitSchema(ma.Schema):
    id = fields.Integer()
    doctor_id = fields.Integer()
    doctor_name = fields.Function(lambda v: v.doctor.name if v.doctor else None)
    rep_id = fields.Integer()
    visited_at = LocalDateTime()
    minutes = fields.Integer()
    purpose = fields.String()
    key_message = fields.String(allow_none=True)
    expected_objection = fields.String(allow_none=True)
    next_step = fields.String(allow_none=True)
    outcome = fields.Enum(VisitOutcome, by_value=True)
    stage = fields.Enum(Stage, by_value=True)
    notes = fields.String(allow_none=True)
    question_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime()


class WeekArgs(Args):
    week = fields.String(validate=validate.Length(max=16),
                         metadata={"description": "ISO week, e.g. 2026-W51 (default: this week)"})
    rep_id = QueryId(metadata={"description": "a rep the caller oversees (managers)"})


class ReportWeekArgs(Args):
    week = fields.String(validate=validate.Length(max=16))
    group_by = fields.String(load_default="rep", validate=validate.OneOf(["rep"]))


class PlanRowSchema(ma.Schema):
    doctor_id = fields.Integer()
    name = fields.String()
    hospital = fields.String()
    grade = fields.String()
    due = fields.Boolean(metadata={"description": "due for a visit in the week"})
    due_on = fields.Date()
    last_visit_on = fields.Date(allow_none=True)
    frequency_days = fields.Integer()
    done = fields.Boolean(metadata={"description": "visited within the week"})
    overdue = fields.Boolean()


class VisitReportRowSchema(ma.Schema):
    key = fields.Dict()
    rep_id = fields.Integer()
    week = fields.String()
    planned = fields.Integer()
    done = fields.Integer()
    rate = fields.Float(allow_none=True)


class ActivityArgs(Args):
    title = Text(200, required=True)
    due_on = fields.Date(required=True, validate=_in_years)


class UpgradePlanArgs(Args):
    doctor_id = Id(required=True)
    starts_on = fields.Date(required=True, validate=_in_years)
    ends_on = fields.Date(required=True, validate=_in_years)
    activities = fields.List(fields.Nested(ActivityArgs), required=True, validate=validate.Length(max=50))


class ActivitySchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    due_on = fields.String()
    done = fields.Boolean()


class PlanResultSchema(ma.Schema):
    before = fields.Float()
    after = fields.Float()
    change = fields.Float(allow_none=True)
    grade = fields.String()
    success = fields.Boolean()


class UpgradePlanSchema(ma.Schema):
    id = fields.Integer()
    doctor_id = fields.Integer()
    doctor_name = fields.String()
    rep_id = fields.Integer()
    starts_on = fields.String()
    ends_on = fields.String()
    status = fields.String(metadata={"description": "draft | approved | finished"})
    approved_by_id = fields.Integer(allow_none=True)
    activities = fields.List(fields.Nested(ActivitySchema))
    result = fields.Nested(PlanResultSchema, allow_none=True)


class MonthArgs(Args):
    month = fields.String(validate=validate.Length(max=16), metadata={"description": "YYYY-MM"})


class PlanReportRowSchema(ma.Schema):
    key = fields.Dict()
    rep_id = fields.Integer()
    month = fields.String()
    target = fields.Integer()
    started = fields.Integer()
    finished = fields.Integer()
    succeeded = fields.Integer()
