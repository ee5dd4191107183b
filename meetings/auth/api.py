from flask import request
from flask_babel import gettext as _
from sqlalchemy import select

from ..database import commit_refused_login
from ..errors import Forbidden, NotFound, Unauthorized
from ..extensions import db
from ..throttle import Throttled
from ..rest import Blueprint, SelectPage, current_user, token_loader
from . import services
from .models import Role, User
from .schemas import PasswordChangeArgs, TokenArgs, TokenSchema, UserArgs, UserPatchArgs, UserSchema

tokens = Blueprint("auth", __name__, url_prefix="/api/v1/auth", public=True,
                   description="Bearer tokens")
token_loader(services.user_for_token)  # bearer tokens on every API blueprint

blp = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Users (admin)")


@tokens.route("/token", methods=["POST"])
@tokens.arguments(TokenArgs)
@tokens.response(200, TokenSchema)
@tokens.alt_response(429, description="Too many failed logins for the account or the address (Retry-After)")
def issue_token(args):
    try:
        user = services.login(args["username"], args["password"], request.remote_addr)
    except Throttled:
        commit_refused_login()  # the throttled attempt is counted (and now and then logged)
        raise
    if user is None:
        commit_refused_login()
        raise Unauthorized(_("wrong username or password"))
    return {"token": services.issue_token(user)}


@tokens.route("/token", methods=["DELETE"])
@tokens.response(204)
def revoke_token():
    """Revokes the bearer token sent with this request."""
    _scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    services.revoke_token(token.strip())


@blp.route("/me/password", methods=["POST"])
@blp.arguments(PasswordChangeArgs)
@blp.response(200, UserSchema)
def change_password(args):
    """Changes the caller's own password; every session and API token ends."""
    return services.change_own_password(current_user(), args["current_password"], args["new_password"])


def _admin():
    user = current_user()
    if user.role != Role.admin:
        raise Forbidden(_("only an administrator manages users"))
    return user


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("user not found"))
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
        raise Forbidden(_("only an administrator sees other users"))
    return _user(user_id)


@blp.route("/<int:user_id>", methods=["PATCH"])
@blp.arguments(UserPatchArgs)
@blp.response(200, UserSchema)
def update_user(args, user_id):
    user = services.update_user(_admin(), _user(user_id), **args)
    return user
