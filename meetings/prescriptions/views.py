"""Page: marketing and admins upload a prescription file and read the report."""
from __future__ import annotations

import io

from flask import Blueprint, render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.models import Role
from ..errors import InvalidInput
from ..web.nav import nav_item
from ..web.pages import roles_required
from . import services
from .api import XLSX

bp = Blueprint("prescriptions_web", __name__, url_prefix="/prescriptions")

nav_item("prescriptions_web.upload", _l("Prescriptions"), roles=services.IMPORTERS, order=78)


@bp.before_request
def allow_large_upload():
    if request.endpoint == "prescriptions_web.upload" and request.method == "POST":
        request.max_content_length = services.MAX_BYTES + 64 * 1024


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.admin, Role.marketing)
def upload():
    report, errors, status = None, {}, 200
    if request.method == "POST":
        upload_ = request.files.get("file")
        try:
            if upload_ is None or not upload_.filename:
                raise InvalidInput(_l("choose a CSV or XLSX file"), field="file")
            report = services.import_file(current_user._get_current_object(),
                                          upload_.read(services.MAX_BYTES + 1),
                                          refresh_support=request.form.get("update_support") == "on")
        except InvalidInput as exc:  # nothing was written: the file was refused whole
            errors, status = {exc.field or "_": exc.message}, 422
    return render_template("prescriptions/upload.html", report=report, errors=errors,
                           max_rows=services.MAX_ROWS, max_mb=services.MAX_BYTES // 2**20), status


@bp.route("/template.xlsx")
@roles_required(Role.admin, Role.marketing)
def template():
    return send_file(io.BytesIO(services.template_xlsx()), mimetype=XLSX, as_attachment=True,
                     download_name="prescriptions-template.xlsx")
