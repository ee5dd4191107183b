from sqlalchemy import select

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..rest import Blueprint, SelectPage, current_user, token_loader
from . import services
from .models import Role, User
from .schemas import TokenArgs, TokenSchema, UserArgs, UserPatchArgs, UserSchema

tokens = Blueprint("auth", __name__, url_prefix="/api/v1/auth", public=True,
                   description="Bearer tokens")
token_loader(services.user_for_token)  # bearer tokens on every API blueprint

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users (admin)")


@tokens.route("/token", methods=["POST"])
@tokens.arguments(TokenArgs)
@tokens.response(200, TokenSchema)
def issue_token(args):
    user = services.authenticate(args["username"], args["password"])
    return {"token": services.issue_token(user)}


def _admin():
    user = current_user()
    if user.role != Role.admin:
        raise Forbidden("only an administrator manages users")
    return user


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user


@blp.route("")
@blp.response(200, UserSchema(many=True))
@blp.paginate(SelectPage)
def list_users():
    _admin()
    return select(User).order_by(User.id)


@blp.route("", methods=["POST"])
@blp.arguments(UserArgs)
@blp.response(201, UserSchema)
def create_user(args):
    user = services.create_user(_admin(), **args)
    return user


@blp.route("/<int:user_id>")
@blp.response(200, UserSchema)
def get_user(user_id):
    me = current_user()
    if me.role != Role.admin and me.id != user_id:
        raise Forbidden("only an administrator sees other users")
    return _user(user_id)


@blp.route("/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserPatchArgs)
@blp.response(200, UserSchema)
def update_user(args, user_id):
    user = services.update_user(_admin(), _user(user_id), **args)
    return user
