import marshmallow as ma
from marshmallow import fields, validate

from ..validation import Message, between
from ..rest import Args


def _money(**kw):
    return fields.Decimal(as_string=True, places=2, **kw)


class PartSchema(ma.Schema):
    name = fields.String(metadata={"enum": ["hardware", "execution", "followup", "effect"]})
    weight = fields.Float()
    score = fields.Float(allow_none=True, metadata={"description": "0–1; null while it cannot be computed"})
    points = fields.Float(allow_none=True)
    detail = fields.String()


class EffectSchema(ma.Schema):
    product = fields.String(allow_none=True)
    months_before = fields.List(fields.String())
    months_after = fields.List(fields.String())
    before = fields.Float(allow_none=True, metadata={"description": "boxes a month, pooled"})
    after = fields.Float(allow_none=True)
    change = fields.Float(allow_none=True, metadata={"description": "after ÷ before − 1"})


class ScorecardSchema(ma.Schema):
    meeting_id = fields.Integer()
    parts = fields.List(fields.Nested(PartSchema))
    total = fields.Float()
    max = fields.Float()
    percent = fields.Float(allow_none=True)
    execution = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    effect = fields.Nested(EffectSchema)


class SpendArgs(Args):
    year = fields.Integer(validate=between(2000, 2100))


class MeetingShareSchema(ma.Schema):
    meeting_id = fields.Integer()
    share = _money()
    basis = fields.String(metadata={"description": "estimate (before the summary) or actual (SPEC §12)"})


class DoctorSpendSchema(ma.Schema):
    doctor_id = fields.Integer()
    year = fields.Integer()
    cap = _money()
    total = _money()
    remaining = _money()
    meetings = fields.List(fields.Nested(MeetingShareSchema))
    speaker_fees = _money()


class BudgetReportArgs(Args):
    period = fields.String(validate=validate.Regexp(r"^\d{4}-Q[1-4]$", error=Message("write the quarter as 2026-Q4")))


class BudgetRowSchema(ma.Schema):
    province_id = fields.Integer()
    period = fields.String()
    allocated = _money()
    drawn = _money()
    actual = _money()
    remaining = _money()
