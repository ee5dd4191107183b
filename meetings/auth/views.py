from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..errors import Unauthorized
from ..extensions import db
from ..orgs.models import Province, Region
from ..web.nav import nav_item
from ..web.pages import register_labels, register_template_helpers, roles_required, submit
from . import services
from .models import Role, User
from .schemas import UserArgs, UserPatchArgs

bp = Blueprint("auth_web", __name__)
register_template_helpers(bp)
register_labels(Role, {Role.rep: _l("Rep"), Role.provincial_manager: _l("Provincial manager"),
                       Role.regional_manager: _l("Regional manager"), Role.marketing: _l("Marketing"),
                       Role.staff: _l("Staff"), Role.admin: _l("Administrator")})
nav_item("auth_web.list_users", _l("Users"), roles={Role.admin}, order=60)

admin_only = roles_required(Role.admin)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        try:
            user = services.authenticate(request.form.get("username", ""),
                                         request.form.get("password", ""))
        except Unauthorized:
            flash(_("Wrong username or password."), "danger")
            return render_template("auth/login.html", username=request.form.get("username", "")), 401
        login_user(user)
        target = request.args.get("next") or ""
        # only same-site paths: never an open redirect
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("web.index")
        return redirect(target)
    return render_template("auth/login.html", username="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth_web.login"))


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
