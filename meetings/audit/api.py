"""GET /api/v1/audit (admin): the action log, filtered and paged."""
from __future__ import annotations

from ..rest import Blueprint, SelectPage, current_user
from . import services
from .schemas import ActionLogEntrySchema, AuditQueryArgs

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="The append-only action log (admin)")


@blp.route("")
@blp.arguments(AuditQueryArgs, location="query")
@blp.response(200, ActionLogEntrySchema(many=True))
@blp.paginate(SelectPage)
def list_entries(args):
    return services.search(current_user(), **args)
