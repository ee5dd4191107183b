import io

from flask import request, send_file

from flask_babel import gettext as _
from ..errors import Forbidden, InvalidInput
from ..rest import Blueprint, SelectPage, current_user
from . import services
from .schemas import ImportArgs, ImportFile, ImportReportSchema, PrescriptionFilter, PrescriptionSchema

blp = Blueprint("prescriptions", __name__, url_prefix="/api/v1/prescriptions",
                description="Prescription data (处方数据): monthly boxes per doctor and product")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.before_request
def allow_large_upload():
    """The import's own size bound (above the app's request limit), set before
    the multipart body is parsed; other requests keep the app's."""
    if request.endpoint == "prescriptions.import_prescriptions":
        request.max_content_length = services.MAX_BYTES + 64 * 1024


def uploaded_file() -> bytes:
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(_("choose a CSV or XLSX file"), field="file")
    data = upload.read(services.MAX_BYTES + 1)
    if len(data) > services.MAX_BYTES:
        raise InvalidInput(_("larger than %(mb)s MB", mb=services.MAX_BYTES // 2**20), field="file")
    return data


@blp.route("")
@blp.arguments(PrescriptionFilter, location="query")
@blp.response(200, PrescriptionSchema(many=True))
@blp.paginate(SelectPage)
def list_prescriptions(args):
    return services.search_prescriptions(current_user(), **args)


@blp.route("/import", methods=["POST"])
@blp.arguments(ImportFile, location="files")
@blp.arguments(ImportArgs, location="form")
@blp.response(200, ImportReportSchema)
def import_prescriptions(_file, args):
    user = current_user()
    if not services.may_import(user):
        raise Forbidden(_("only marketing or an administrator imports prescriptions"))
    return services.import_file(user, uploaded_file(), refresh_support=args["update_support"])


@blp.route("/template.xlsx")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX,
              description="The import template: columns doctor_id, month, product, boxes")
def template():
    return send_file(io.BytesIO(services.template_xlsx()), mimetype=XLSX, as_attachment=True,
                     download_name="prescriptions-template.xlsx")
