import marshmallow as ma
from marshmallow import fields, validate

from ..validation import Message
from ..rest import Args, Id, Money, Name


class RegionArgs(Args):
    name = Name(80)


class RegionSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class ProvinceArgs(Args):
    name = Name(80)
    region_id = Id(required=True)
    approval_limit = Money(required=True)


class ProvincePatchArgs(Args):
    name = fields.String(validate=validate.Length(min=1, max=80))
    region_id = Id()
    approval_limit = Money()


class ProvinceSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    region_id = fields.Integer()
    approval_limit = fields.Decimal(as_string=True, places=2)


class BudgetArgs(Args):
    period = fields.String(required=True, validate=validate.Regexp(
        r"^\d{4}-Q[1-4]$", error=Message("write the quarter as 2026-Q4")))
    amount = Money(required=True)


class BudgetPatchArgs(Args):
    amount = Money(required=True)


class BudgetSchema(ma.Schema):
    id = fields.Integer()
    province_id = fields.Integer()
    period = fields.String()
    amount = fields.Decimal(as_string=True, places=2)
    allocated = fields.Decimal(as_string=True, places=2)
    spent = fields.Decimal(as_string=True, places=2)
    remaining = fields.Decimal(as_string=True, places=2)
