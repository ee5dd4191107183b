import marshmallow as ma

from ..rest import Blueprint, SelectPage, current_user
from . import services
from .schemas import NotificationSchema

blp = Blueprint("notifications", __name__, url_prefix="/api/v1/notifications",
                description="The current user's in-app notifications")


@blp.route("")
@blp.response(200, NotificationSchema(many=True))
@blp.paginate(SelectPage)
def list_notifications():
    return services.for_user(current_user())


@blp.route("/<int:notification_id>")
@blp.response(200, NotificationSchema)
def get_notification(notification_id):
    return services.get_own(current_user(), notification_id)


@blp.route("/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    notification = services.mark_read(current_user(), notification_id)
    return notification


class ReadAllSchema(ma.Schema):
    marked = ma.fields.Integer(metadata={"description": "how many were unread and are read now"})


@blp.route("/read-all", methods=["POST"])
@blp.response(200, ReadAllSchema)
def mark_all_read():
    """Marks every unread notification of the caller read (全部已读)."""
    return {"marked": services.mark_all_read(current_user())}
