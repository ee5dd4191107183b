import marshmallow as ma
from marshmallow import fields

from ..rest import LocalDateTime


class NotificationSchema(ma.Schema):
    id = fields.Integer()
    key = fields.String()
    subject = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True)
    created_at = LocalDateTime()
    read_at = LocalDateTime(allow_none=True)
    read = fields.Function(lambda n: n.read_at is not None)
