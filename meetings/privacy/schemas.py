from __future__ import annotations

from marshmallow import fields, validate

from ..rest import Args


class EraseArgs(Args):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
