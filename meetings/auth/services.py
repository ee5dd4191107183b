"""Users, logins and API tokens."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from .. import audit
from flask_babel import gettext as _

from ..errors import Conflict, Forbidden, InvalidInput, Unauthorized
from ..extensions import db
from ..labels import label
from ..orgs.models import Province, Region
from .models import Role, User

PROVINCE_ROLES = {Role.rep, Role.provincial_manager, Role.staff}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def authenticate(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        raise Unauthorized(_("wrong username or password"))
    return user


def issue_token(user: User) -> str:
    # The hash fragment ties the token to the password: changing it revokes tokens.
    return _serializer().dumps({"uid": user.id, "pw": user.password_hash[-12:]})


def user_for_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=current_app.config["API_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise Unauthorized(_("token expired; request a new one at /api/v1/auth/token"))
    except BadSignature:
        raise Unauthorized(_("invalid token"))
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or user.password_hash[-12:] != data.get("pw"):
        raise Unauthorized(_("invalid token"))
    return user


def _check_scope(role: Role, province_id, region_id) -> None:
    """SPEC §1: reps, provincial managers and staff belong to a province;
    regional managers to a region."""
    if role in PROVINCE_ROLES:
        if province_id is None:
            raise InvalidInput(_("province_id: a %(role)s belongs to a province", role=label(role)), field="province_id")
        if db.session.get(Province, province_id) is None:
            raise InvalidInput(_("province_id: no such province (%(id)s)", id=province_id), field="province_id")
    if role == Role.regional_manager:
        if region_id is None:
            raise InvalidInput(_("region_id: a regional manager belongs to a region"), field="region_id")
        if db.session.get(Region, region_id) is None:
            raise InvalidInput(_("region_id: no such region (%(id)s)", id=region_id), field="region_id")


def create_user(actor: User | None, *, username: str, password: str, display_name: str | None = None,
                role: Role, province_id: int | None = None, region_id: int | None = None,
                email: str | None = None) -> User:
    """`actor` None is the command line (trusted operator)."""
    if actor is not None and actor.role != Role.admin:
        raise Forbidden(_("only an administrator manages users"))
    role = Role(role)
    if province_id is not None and region_id is None:
        province = db.session.get(Province, province_id)
        region_id = province.region_id if province else None
    _check_scope(role, province_id, region_id)
    if len(password or "") < 6:
        raise InvalidInput(_("password: at least 6 characters"), field="password")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(_("username: %(name)s is taken", name=username), field="username")
    user = User(username=username, display_name=display_name or username, role=role, email=email,
                province_id=province_id, region_id=region_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user", user.id, "create", role=role.value)
    return user


def update_user(actor: User, user: User, **changes) -> User:
    if actor.role != Role.admin:
        raise Forbidden(_("only an administrator manages users"))
    password = changes.pop("password", None)
    for key, value in changes.items():
        setattr(user, key, value)
    if user.province_id is not None and changes.get("region_id") is None and "province_id" in changes:
        user.region_id = db.session.get(Province, user.province_id).region_id
    _check_scope(user.role, user.province_id, user.region_id)
    if password:
        if len(password) < 6:
            raise InvalidInput(_("password: at least 6 characters"), field="password")
        user.set_password(password)
    db.session.flush()
    audit.record(actor, "user", user.id, "update", fields=sorted(changes) + (["password"] if password else []))
    return user
