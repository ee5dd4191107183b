import marshmallow as ma
from marshmallow import fields, validate

from ..validation import Message
from ..rest import Args, QueryId

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error=Message("write the month as 2026-09"))


class PrescriptionFilter(Args):
    doctor_id = QueryId()
    product = fields.String(validate=validate.Length(max=80))
    from_ = fields.String(data_key="from", validate=MONTH)
    to = fields.String(validate=MONTH)


class ImportArgs(Args):
    update_support = fields.Boolean(load_default=False)


class ImportFile(Args):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


class PrescriptionSchema(ma.Schema):
    doctor_id = fields.Integer()
    month = fields.String()
    product = fields.String()
    boxes = fields.Integer()


class ImportErrorSchema(ma.Schema):
    row = fields.Integer()
    field = fields.String()
    message = fields.String()


class ImportReportSchema(ma.Schema):
    rows = fields.Integer()
    inserted = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorSchema),
                         metadata={"description": "the first 1,000 bad rows; errors_total counts all"})
    errors_total = fields.Integer()
    support_updated = fields.Integer(allow_none=True,
                                     metadata={"description": "doctors whose support changed "
                                               "(null unless update_support was asked)"})
