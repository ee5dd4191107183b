import marshmallow as ma
from marshmallow import fields

from ..proposals.models import BudgetCategory
from ..rest import Args, LocalDateTime, Money, Text
from .models import AttachmentKind


class AttachmentArgs(Args):
    """The multipart form beside `file`: what the file is; a receipt's
    category, amount, number and date; after close, why it comes late."""
    kind = fields.Enum(AttachmentKind, by_value=True, required=True)
    category = fields.Enum(BudgetCategory, by_value=True, allow_none=True)
    amount = Money(allow_none=True)
    invoice_no = Text(40, allow_none=True)
    issued_on = fields.Date(allow_none=True)
    late_reason = Text(500, allow_none=True)


class AttachmentForm(AttachmentArgs):
    """The whole multipart form as the OpenAPI document shows it: `file` (the
    bytes, required; read from the request's files) and the fields above."""
    file = fields.Raw(load_default=None, metadata={
        "type": "string", "format": "binary", "description": "the file (required): PDF, JPEG, PNG or WebP"})


class AttachmentVoidArgs(Args):
    reason = Text(500, required=True, multiline=False)


class AttachmentSchema(ma.Schema):
    id = fields.Integer()
    meeting_id = fields.Integer()
    kind = fields.Enum(AttachmentKind, by_value=True)
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.Integer(attribute="uploaded_by_id")
    uploaded_at = LocalDateTime()
    taken_at = LocalDateTime(allow_none=True)
    category = fields.Enum(BudgetCategory, by_value=True, allow_none=True)
    amount = Money(allow_none=True)
    invoice_no = fields.String(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    voided = fields.Boolean()
    voided_at = LocalDateTime(allow_none=True)
    voided_by = fields.Integer(attribute="voided_by_id", allow_none=True)
    void_reason = fields.String(allow_none=True)
    late_reason = fields.String(allow_none=True)
