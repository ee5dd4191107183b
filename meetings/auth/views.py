import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..database import commit_refused_login
from ..extensions import db
from ..throttle import Throttled
from ..orgs.models import Province, Region
from ..web.nav import nav_item
from ..web.pages import register_template_helpers, roles_required, submit
from . import services
from .models import Role, User
from ..web.forms import attempt, form_dict
from .schemas import PasswordChangeArgs, UserArgs, UserPatchArgs

bp = Blueprint("auth_web", __name__)
register_template_helpers(bp)
nav_item("auth_web.list_users", _l("Users"), roles={Role.admin}, order=60)

admin_only = roles_required(Role.admin)


def safe_next(target: str | None) -> str | None:
    """Only a same-site path is followed after login (no open redirect):
    browsers drop tabs and line breaks and read a backslash as a slash, so
    "/\t/evil.example" or "/\\evil.example" would leave the site."""
    if not target or any(ord(c) < 33 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def start_session(user) -> None:
    """The session cookie carries the user's session version and when it began."""
    kept = {key: session[key] for key in ("lang", "_flashes") if key in session}
    session.clear()  # nothing of an earlier user's session carries over…
    session.update(kept)  # …but the language and pending messages do
    login_user(user)
    session.permanent = True  # expires with SESSION_MAX_AGE (PERMANENT_SESSION_LIFETIME)
    now = int(time.time())
    session.update(sv=user.session_version, login_at=now, seen_at=now)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form.get("username", "")
        try:
            user = services.login(username, request.form.get("password", ""), request.remote_addr)
        except Throttled:
            commit_refused_login()  # the throttled attempt is counted (and now and then logged)
            raise
        if user is None:
            commit_refused_login()
            flash(_("Wrong username or password."), "danger")
            return render_template("auth/login.html", username=username), 401
        start_session(user)
        return redirect(safe_next(request.args.get("next")) or url_for("web.index"))
    return render_template("auth/login.html", username="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Ends this user's sessions everywhere: a cookie copied before logout is
    # worth nothing afterwards (the cookie itself lives in the browser).
    services.logout(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("auth_web.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    if request.method == "GET":
        return render_template("auth/password.html", errors={})

    def change(args):
        return services.change_own_password(current_user, args["current_password"], args["new_password"])

    user, errors = attempt(PasswordChangeArgs(), form_dict(request.form), change)
    if errors:
        return render_template("auth/password.html", errors=errors), 422
    session["sv"] = user.session_version  # this session goes on; all others ended
    flash(_("Your password has been changed. Other sessions and API tokens have ended."), "success")
    return redirect(url_for("web.index"))


# ---------------------------------------------------------------- users (admin)

def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _form(template: str, values, errors=None, **context):
    provinces = db.session.execute(select(Province.id, Province.name).order_by(Province.name)).all()
    regions = db.session.execute(select(Region.id, Region.name).order_by(Region.name)).all()
    return render_template(template, values=values, errors=errors or {},
                           province_options=[tuple(row) for row in provinces],
                           region_options=[tuple(row) for row in regions], **context)


@bp.route("/admin/users")
@admin_only
def list_users():
    users = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", users=users)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_only
def create_user():
    if request.method == "GET":
        return _form("auth/user_form.html", {})

    def done(user):
        flash(_("User %(name)s created.", name=user.username), "success")
        return redirect(url_for(".list_users"))

    return submit(UserArgs(), lambda args: services.create_user(current_user, **args), done,
                  lambda errors: _form("auth/user_form.html", request.form, errors))


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_user(user_id):
    user = _user(user_id)
    if request.method == "GET":
        values = {"display_name": user.display_name, "province_id": user.province_id,
                  "region_id": user.region_id, "active": user.active}
        return _form("auth/user_form.html", values, user=user)

    def done(changed):
        flash(_("User %(name)s saved.", name=changed.username), "success")
        return redirect(url_for(".list_users"))

    return submit(UserPatchArgs(), lambda args: services.update_user(current_user, user, **args), done,
                  lambda errors: _form("auth/user_form.html", request.form, errors, user=_user(user_id)),
                  booleans=("active",))
