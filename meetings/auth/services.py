"""Users, logins and API tokens."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..actionlog import changes as changes_of
from ..actionlog import log_action
from ..errors import Conflict, Forbidden, InvalidInput, Unauthorized
from ..extensions import db
from ..orgs.models import Province, Region
from .models import Role, User

PROVINCE_ROLES = {Role.rep, Role.provincial_manager, Role.staff}
AUDITED_USER_FIELDS = ("role", "province_id", "region_id", "active")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def authenticate(username: str, password: str) -> User:
    """The user with these credentials. Every attempt is logged (SPEC §11) and
    committed here, as its own transaction: a failed login changes nothing
    else and must stay on record although the request fails."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        # the typed username is not kept: it may be a password typed in the wrong field
        log_action(None, "login_failed", "user", user.id if user else None,
                   after={"reason": "unknown_user" if user is None else
                          "inactive" if not user.active else "wrong_password"})
        db.session.commit()
        raise Unauthorized("wrong username or password")
    log_action(user, "login", "user", user.id)
    db.session.commit()
    return user


def issue_token(user: User) -> str:
    # The hash fragment ties the token to the password: changing it revokes tokens.
    return _serializer().dumps({"uid": user.id, "pw": user.password_hash[-12:]})


def user_for_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=current_app.config["API_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise Unauthorized("token expired; request a new one at /api/v1/auth/token")
    except BadSignature:
        raise Unauthorized("invalid token")
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or user.password_hash[-12:] != data.get("pw"):
        raise Unauthorized("invalid token")
    return user


def _check_scope(role: Role, province_id, region_id) -> None:
    """SPEC §1: reps, provincial managers and staff belong to a province;
    regional managers to a region."""
    if role in PROVINCE_ROLES:
        if province_id is None:
            raise InvalidInput(f"province_id: a {role.value} belongs to a province", field="province_id")
        if db.session.get(Province, province_id) is None:
            raise InvalidInput(f"province_id: no such province ({province_id})", field="province_id")
    if role == Role.regional_manager:
        if region_id is None:
            raise InvalidInput("region_id: a regional_manager belongs to a region", field="region_id")
        if db.session.get(Region, region_id) is None:
            raise InvalidInput(f"region_id: no such region ({region_id})", field="region_id")


def create_user(actor: User | None, *, username: str, password: str, display_name: str | None = None,
                role: Role, province_id: int | None = None, region_id: int | None = None,
                email: str | None = None) -> User:
    """`actor` None is the command line (trusted operator)."""
    if actor is not None and actor.role != Role.admin:
        raise Forbidden("only an administrator manages users")
    role = Role(role)
    if province_id is not None and region_id is None:
        province = db.session.get(Province, province_id)
        region_id = province.region_id if province else None
    _check_scope(role, province_id, region_id)
    if len(password or "") < 6:
        raise InvalidInput("password: at least 6 characters", field="password")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"username: {username!r} is taken", field="username")
    user = User(username=username, display_name=display_name or username, role=role, email=email,
                province_id=province_id, region_id=region_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log_action(actor, "create", "user", user.id,
               after={"role": role, "province_id": province_id, "region_id": region_id})
    return user


def update_user(actor: User, user: User, **changes) -> User:
    if actor.role != Role.admin:
        raise Forbidden("only an administrator manages users")
    password = changes.pop("password", None)
    old = {key: getattr(user, key) for key in AUDITED_USER_FIELDS}
    for key, value in changes.items():
        setattr(user, key, value)
    if user.province_id is not None and changes.get("region_id") is None and "province_id" in changes:
        user.region_id = db.session.get(Province, user.province_id).region_id
    _check_scope(user.role, user.province_id, user.region_id)
    if password:
        if len(password) < 6:
            raise InvalidInput("password: at least 6 characters", field="password")
        user.set_password(password)
    db.session.flush()
    before, after = changes_of(old, {key: getattr(user, key) for key in AUDITED_USER_FIELDS})
    for key in sorted(set(changes) - set(AUDITED_USER_FIELDS)):  # names: that, not what
        before[key], after[key] = None, "changed"
    if password:
        before["password"], after["password"] = None, "changed"
    if after:
        log_action(actor, "update", "user", user.id, before=before, after=after)
    return user
