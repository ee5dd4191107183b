from sqlalchemy import select
from sqlalchemy.orm import selectinload

from flask_babel import lazy_gettext as _l
from ..rest import Args, Blueprint, QueryId, SelectPage, current_user
from ..errors import NotFound
from . import services
from .models import Department, Doctor, Hospital
from .schemas import (DepartmentArgs, DepartmentPatchArgs, DoctorPatchArgs, DepartmentSchema, DoctorArgs,
                      DoctorSchema, GradeOverrideArgs, HospitalArgs, HospitalPatchArgs, HospitalSchema)

blp = Blueprint("doctors", __name__, url_prefix="/api/v1",
                description="Hospitals, departments and doctors (HCPs)")


class HospitalFilter(Args):
    province_id = QueryId()


class DepartmentFilter(Args):
    hospital_id = QueryId()


class DoctorFilter(Args):
    department_id = QueryId()
    hospital_id = QueryId()


NOT_FOUND = {"hospital": _l("hospital not found"), "department": _l("department not found"),
             "doctor": _l("doctor not found")}


def _visible(hospital_id: int, what: str):
    if not services.can_see_hospital(current_user(), hospital_id):
        raise NotFound(str(NOT_FOUND[what]))


@blp.route("/hospitals")
@blp.arguments(HospitalFilter, location="query")
@blp.response(200, HospitalSchema(many=True))
@blp.paginate(SelectPage)
def list_hospitals(args):
    query = select(Hospital).where(Hospital.id.in_(services.visible_hospitals(current_user())))
    if "province_id" in args:
        query = query.where(Hospital.province_id == args["province_id"])
    return query.order_by(Hospital.id)


@blp.route("/hospitals", methods=["POST"])
@blp.arguments(HospitalArgs)
@blp.response(201, HospitalSchema)
def create_hospital(args):
    hospital = services.create_hospital(current_user(), **args)
    return hospital


@blp.route("/hospitals/<int:hospital_id>")
@blp.response(200, HospitalSchema)
def get_hospital(hospital_id):
    _visible(hospital_id, "hospital")
    return services.get_hospital(hospital_id)


@blp.route("/hospitals/<int:hospital_id>", methods=["PATCH"])
@blp.arguments(HospitalPatchArgs)
@blp.response(200, HospitalSchema)
def update_hospital(args, hospital_id):
    hospital = services.update_hospital(current_user(), services.get_hospital(hospital_id), **args)
    return hospital


@blp.route("/departments")
@blp.arguments(DepartmentFilter, location="query")
@blp.response(200, DepartmentSchema(many=True))
@blp.paginate(SelectPage)
def list_departments(args):
    query = select(Department).where(
        Department.hospital_id.in_(services.visible_hospitals(current_user())))
    if "hospital_id" in args:
        query = query.where(Department.hospital_id == args["hospital_id"])
    return query.order_by(Department.id)


@blp.route("/departments", methods=["POST"])
@blp.arguments(DepartmentArgs)
@blp.response(201, DepartmentSchema)
def create_department(args):
    department = services.create_department(current_user(), **args)
    return department


@blp.route("/departments/<int:department_id>")
@blp.response(200, DepartmentSchema)
def get_department(department_id):
    department = services.get_department(department_id)
    _visible(department.hospital_id, "department")
    return department


@blp.route("/departments/<int:department_id>", methods=["PATCH"])
@blp.arguments(DepartmentPatchArgs)
@blp.response(200, DepartmentSchema)
def update_department(args, department_id):
    department = services.update_department(current_user(), services.get_department(department_id),
                                            **args)
    return department


@blp.route("/doctors")
@blp.arguments(DoctorFilter, location="query")
@blp.response(200, DoctorSchema(many=True))
@blp.paginate(SelectPage)
def list_doctors(args):
    query = select(Doctor).join(Department).where(
        Department.hospital_id.in_(services.visible_hospitals(current_user())))
    if "department_id" in args:
        query = query.where(Doctor.department_id == args["department_id"])
    if "hospital_id" in args:
        query = query.where(Department.hospital_id == args["hospital_id"])
    return query.order_by(Doctor.id).options(selectinload(Doctor.department))  # hospital_id


@blp.route("/doctors", methods=["POST"])
@blp.arguments(DoctorArgs)
@blp.response(201, DoctorSchema)
def create_doctor(args):
    doctor = services.create_doctor(current_user(), **args)
    return doctor


def _doctor(doctor_id: int) -> Doctor:
    doctor = services.get_doctor(doctor_id)
    _visible(doctor.department.hospital_id, "doctor")
    return doctor


@blp.route("/doctors/<int:doctor_id>")
@blp.response(200, DoctorSchema)
def get_doctor(doctor_id):
    return _doctor(doctor_id)


@blp.route("/doctors/<int:doctor_id>", methods=["PATCH"])
@blp.arguments(DoctorPatchArgs)
@blp.response(200, DoctorSchema)
def update_doctor(args, doctor_id):
    doctor = services.update_doctor(current_user(), _doctor(doctor_id), **args)
    return doctor


@blp.route("/doctors/<int:doctor_id>/grade-override", methods=["POST"])
@blp.arguments(GradeOverrideArgs)
@blp.response(200, DoctorSchema)
def override_grade(args, doctor_id):
    doctor = services.override_grade(current_user(), _doctor(doctor_id), args["grade"],
                                     args.get("reason"))
    return doctor
