"""GET /api/v1/doctors/{id}/export and POST /api/v1/doctors/{id}/erase (admin; SPEC §10, §11)."""
from __future__ import annotations

from ..doctors.schemas import DoctorSchema
from ..database import commit_export_log
from ..rest import Blueprint, current_user
from . import services
from .schemas import EraseArgs

blp = Blueprint("privacy", __name__, url_prefix="/api/v1/doctors",
                description="Personal data of doctors (PIPL): export and erase (admin)")


@blp.route("/<int:doctor_id>/export")
@blp.response(200, description="Everything held on the doctor: master data, invitations, "
              "check-ins (signatures as data URLs), follow-ups, questions, prescriptions, spend")
def export(doctor_id):
    data = services.export_doctor(current_user(), doctor_id)
    commit_export_log()
    return data


@blp.route("/<int:doctor_id>/erase", methods=["POST"])
@blp.arguments(EraseArgs)
@blp.response(200, DoctorSchema)
def erase(args, doctor_id):
    return services.erase_doctor(current_user(), doctor_id, args["reason"])
