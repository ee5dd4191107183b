import marshmallow as ma
from marshmallow import fields, validate

from ..rest import Args
from .services import GROUPS


class ReportArgs(Args):
    group_by = fields.String(load_default="rep", validate=validate.OneOf(GROUPS))
    from_ = fields.Date(data_key="from", metadata={"description": "first day (local), YYYY-MM-DD"})
    to = fields.Date(metadata={"description": "last day (local), YYYY-MM-DD, included"})


class ReportKeySchema(ma.Schema):
    type = fields.String()
    id = fields.Raw(metadata={"description": "user, province or region id; YYYY-MM for a month"})
    name = fields.String()


def Rate():
    return fields.Float(allow_none=True, metadata={"description": "pooled: Σ numerator ÷ Σ denominator; null over 0"})


class ReportRowSchema(ma.Schema):
    key = fields.Nested(ReportKeySchema)
    meetings_held = fields.Integer()
    budget_approved = fields.Decimal(as_string=True, places=2)
    actual_spend = fields.Decimal(as_string=True, places=2)
    expected = fields.Integer()
    present = fields.Integer()
    attended_invited = fields.Integer()
    key_expected = fields.Integer()
    key_present = fields.Integer()
    attendance_rate = Rate()
    accuracy_rate = Rate()
    key_attendance_rate = Rate()
    followups_due = fields.Integer()
    followups_on_time = fields.Integer()
    followup_on_time_rate = Rate()
    score_percent_avg = fields.Float(allow_none=True)


class PeriodArgs(Args):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
