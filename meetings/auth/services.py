"""Users, logins and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import throttle
from ..actionlog import changes as changes_of
from ..actionlog import log_action
from ..errors import Conflict, Forbidden, InvalidInput, Unauthorized
from ..extensions import db
from ..labels import label
from ..orgs.models import Province, Region
from ..types import utcnow
from . import passwords
from .models import ApiToken, Role, User

PROVINCE_ROLES = {Role.rep, Role.provincial_manager, Role.staff}
AUDITED_USER_FIELDS = ("role", "province_id", "region_id", "active")


MIN_PASSWORD = passwords.MIN_LENGTH  # new and changed passwords; existing ones work until their next change


def _dummy_hash() -> str:
    """A hash made like real ones, checked for unknown users so a refusal
    costs the same time whether the account exists or not."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    cache = current_app.extensions.setdefault("dummy_password_hash", {})
    if method not in cache:
        cache[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return cache[method]


def _login_keys(username: str, address: str | None) -> list[tuple[str, int, str]]:
    config = current_app.config
    return [(f"login:account:{username.strip().lower()[:80]}", config["LOGIN_FAILURES_PER_ACCOUNT"], "account"),
            (f"login:address:{address or '-'}", config["LOGIN_FAILURES_PER_ADDRESS"], "address")]


def login(username: str, password: str, address: str | None) -> User | None:
    """SPEC §11: a login or token request. Refused (429 with Retry-After) once
    the account or the address has LOGIN_FAILURES_PER_* failures in the
    window; an office behind one address logging in correctly never gets
    there. The attempt takes its slot (account, then address: one order, no
    deadlock) BEFORE the password is checked, atomically, so however many
    arrive at once no more than the limit are ever checked; a success gives
    its slots back. Returns None for a wrong username or password, with the
    failure counted and logged: the caller commits them before it refuses, as
    the request itself fails (a success is kept by the request's one commit)."""
    window = current_app.config["LOGIN_WINDOW"]
    taken: list[str] = []
    try:
        for key, limit, which in _login_keys(username, address):
            taken.append(key)
            throttle.take(key, limit, window, _("Too many failed logins; try again later."),
                          audit=("login", which))
    except throttle.Throttled:
        for key in taken:  # a refused attempt is no failure: nothing was checked
            throttle.give_back(key, window)
        raise
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # the same work as for a real account
        ok = False
    else:
        ok = user.check_password(password) and user.active
    if not ok:
        # the typed username is not kept: it may be a password typed in the wrong field
        log_action(None, "login_failed", "user", user.id if user else None,
                   after={"reason": "unknown_user" if user is None else
                          "inactive" if not user.active else "wrong_password"})
        return None
    for key in taken:
        throttle.give_back(key, window)
    log_action(user, "login", "user", user.id)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    """A random bearer token; only its digest is stored. It carries nothing
    of the password and ends with its lifetime, a revoke, or the user's next
    session-version bump (logout everywhere, password change, deactivation)."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, digest=_digest(token), session_version=user.session_version,
                            expires_at=utcnow() + timedelta(seconds=current_app.config["API_TOKEN_MAX_AGE"])))
    db.session.flush()
    return token


def _digest_of(token: str) -> str | None:
    return _digest(token) if token and len(token) <= 200 else None


def user_for_token(token: str) -> User:
    """The user behind a bearer token (every API request): token and user in
    one statement."""
    digest = _digest_of(token)
    # the user and the token's three columns that decide whether it still
    # holds: one object made per request, not two
    row = db.session.execute(
        select(User, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.session_version)
        .join(ApiToken, ApiToken.user_id == User.id).where(ApiToken.digest == digest)).first() if digest else None
    if row is None:
        raise Unauthorized(_("invalid token"))
    user, revoked_at, expires_at, session_version = row
    if revoked_at is not None:
        raise Unauthorized(_("invalid token"))
    if expires_at < utcnow():
        raise Unauthorized(_("token expired; request a new one at /api/v1/auth/token"))
    if not user.active or session_version != user.session_version:
        raise Unauthorized(_("invalid token"))
    return user


def revoke_token(token: str) -> None:
    digest = _digest_of(token)
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == digest)) if digest else None
    if row is None:
        raise Unauthorized(_("invalid token"))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        log_action(row.user_id, "token_revoke", "api_token", row.id)


def logout(user: User) -> None:
    """Logs out: every session and token of the user ends (end_sessions), logged."""
    end_sessions(user)
    log_action(user, "logout", "user", user.id)


def end_sessions(user: User) -> None:
    """Logout everywhere: every session cookie and API token of the user stops working."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def _check_password_rule(password: str | None, username: str | None = None, field: str = "password") -> None:
    """New and changed passwords: see passwords.problem (422 naming the field)."""
    problem = passwords.problem(password, username)
    if problem:
        raise InvalidInput(problem, field=field)


def change_own_password(user: User, current_password: str, new_password: str) -> User:
    """A user changes their own password: the current one is required; every
    other session and every API token ends."""
    if not user.check_password(current_password or ""):
        raise InvalidInput(_("not your current password"), field="current_password")
    _check_password_rule(new_password, user.username, field="new_password")
    user.set_password(new_password)
    end_sessions(user)
    log_action(user, "password_change", "user", user.id)
    return user


def _check_scope(role: Role, province_id, region_id) -> None:
    """SPEC §1: reps, provincial managers and staff belong to a province;
    regional managers to a region."""
    if role in PROVINCE_ROLES:
        if province_id is None:
            raise InvalidInput(_("a %(role)s belongs to a province", role=label(role)), field="province_id")
        if db.session.get(Province, province_id) is None:
            raise InvalidInput(_("no such province (%(id)s)", id=province_id), field="province_id")
    if role == Role.regional_manager:
        if region_id is None:
            raise InvalidInput(_("a regional manager belongs to a region"), field="region_id")
        if db.session.get(Region, region_id) is None:
            raise InvalidInput(_("no such region (%(id)s)", id=region_id), field="region_id")


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
    _check_password_rule(password, username)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(_("%(name)s is taken", name=username), field="username")
    user = User(username=username, display_name=display_name or username, role=role, email=email,
                province_id=province_id, region_id=region_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    log_action(actor, "create", "user", user.id,
               after={"role": role, "province_id": province_id, "region_id": region_id})
    return user


def _keeps_an_admin(actor: User, user: User, changes: dict) -> None:
    """Nobody deactivates or demotes themself, and the last active
    administrator stays one (409): otherwise nobody could manage users any
    more. The active admins' rows are locked while counted, so two admins
    demoting each other at once cannot both succeed."""
    loses_admin = user.role == Role.admin and user.active and (
        changes.get("active") is False or ("role" in changes and Role(changes["role"]) != Role.admin))
    if not loses_admin:
        return
    if user.id == actor.id:
        raise Conflict(_("You cannot deactivate your own account or take away your own administrator role."),
                       field="active" if changes.get("active") is False else "role")
    admins = db.session.scalars(select(User.id).where(User.role == Role.admin, User.active.is_(True))
                                .order_by(User.id).with_for_update()).all()
    if set(admins) <= {user.id}:
        raise Conflict(_("The last active administrator cannot be deactivated or demoted."),
                       field="active" if changes.get("active") is False else "role")


def update_user(actor: User, user: User, **changes) -> User:
    if actor.role != Role.admin:
        raise Forbidden(_("only an administrator manages users"))
    _keeps_an_admin(actor, user, changes)
    password = changes.pop("password", None)
    old = {key: getattr(user, key) for key in AUDITED_USER_FIELDS}
    deactivated = user.active and changes.get("active") is False
    for key, value in changes.items():
        setattr(user, key, value)
    if user.province_id is not None and changes.get("region_id") is None and "province_id" in changes:
        user.region_id = db.session.get(Province, user.province_id).region_id
    _check_scope(user.role, user.province_id, user.region_id)
    if password:
        _check_password_rule(password, user.username)
        user.set_password(password)
    if password or deactivated:
        end_sessions(user)  # a new password or a deactivation ends every session and token
    db.session.flush()
    before, after = changes_of(old, {key: getattr(user, key) for key in AUDITED_USER_FIELDS})
    for key in sorted(set(changes) - set(AUDITED_USER_FIELDS)):  # names: that, not what
        before[key], after[key] = None, "changed"
    if password:
        before["password"], after["password"] = None, "changed"
    if after:
        log_action(actor, "update", "user", user.id, before=before, after=after)
    return user
