from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from ..errors import Unauthorized
from . import services

bp = Blueprint("auth_web", __name__)


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
