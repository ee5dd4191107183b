from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ..rest import Args, LocalDateTime, QueryId, Text


class AuditQueryArgs(Args):
    object_type = Text(40)
    object_id = QueryId()
    actor_id = QueryId()
    action = Text(40)


class ActionLogEntrySchema(ma.Schema):
    """SPEC §10's action log entry."""
    id = fields.Integer()
    at = LocalDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
