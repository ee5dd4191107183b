"""Pages for hospitals, departments and doctors: everyone browses the
hospitals of their scope; administrators keep the master data and may
override a doctor's grade (with a reason, audited)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import Role
from ..extensions import db
from ..orgs.models import Province
from ..web.forms import form_dict
from ..web.nav import nav_item
from ..web.pages import or_404, register_labels, register_template_helpers, roles_required, submit
from . import services
from .models import Department, Doctor, Grade, Hospital, HospitalLevel, Position, Title
from .schemas import (DepartmentArgs, DepartmentPatchArgs, DoctorArgs, DoctorPatchArgs,
                      GradeOverrideArgs, HospitalArgs, HospitalPatchArgs)

bp = Blueprint("doctors_web", __name__)
register_template_helpers(bp)
bp.add_app_template_global(HospitalLevel, "hospital_levels")
bp.add_app_template_global(Title, "doctor_titles")
bp.add_app_template_global(Position, "doctor_positions")
register_labels(HospitalLevel, {HospitalLevel.tertiary: _l("Tertiary"), HospitalLevel.secondary: _l("Secondary"),
                                HospitalLevel.primary: _l("Primary"), HospitalLevel.other: _l("Other")})
register_labels(Title, {Title.chief_physician: _l("Chief physician"),
                        Title.associate_chief_physician: _l("Associate chief physician"),
                        Title.attending: _l("Attending physician"), Title.resident: _l("Resident"),
                        Title.nurse: _l("Nurse"), Title.intern: _l("Intern"), Title.other: _l("Other")})
register_labels(Position, {Position.department_head: _l("Department head"),
                           Position.academic_lead: _l("Academic lead"), Position.outpatient: _l("Outpatient"),
                           Position.inpatient: _l("Inpatient"), Position.pharmacy: _l("Pharmacy"),
                           Position.other: _l("Other")})
register_labels(Grade, {g: g.value for g in Grade})
nav_item("doctors_web.list_hospitals", _l("Hospitals"), order=80)

admin_only = roles_required(Role.admin)
GRADING = {"grade_of": services.grade_of, "is_key": services.is_key,
           "computed_grade": services.computed_grade}


def _hospital(hospital_id: int) -> Hospital:
    """A hospital the user may see; others do not exist for them (404)."""
    if not services.can_see_hospital(current_user, hospital_id):
        abort(404)
    return or_404(services.get_hospital, hospital_id)


def _department(department_id: int) -> Department:
    department = or_404(services.get_department, department_id)
    _hospital(department.hospital_id)
    return department


def _doctor(doctor_id: int) -> Doctor:
    doctor = or_404(services.get_doctor, doctor_id)
    _hospital(doctor.department.hospital_id)
    return doctor


# ---------------------------------------------------------------- hospitals

@bp.route("/hospitals")
@login_required
def list_hospitals():
    query = (select(Hospital).where(Hospital.id.in_(services.visible_hospitals(current_user)))
             .options(selectinload(Hospital.departments), selectinload(Hospital.province))
             .order_by(Hospital.name))
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(Hospital.name.contains(search, autoescape=True))
    return render_template("doctors/hospitals.html", hospitals=db.session.scalars(query).all(), q=search)


@bp.route("/hospitals/<int:hospital_id>")
@login_required
def hospital(hospital_id):
    return render_template("doctors/hospital.html", hospital=_hospital(hospital_id), **GRADING)


def _hospital_form(values, errors=None, hospital=None):
    provinces = db.session.execute(select(Province.id, Province.name).order_by(Province.name)).all()
    return render_template("doctors/hospital_form.html", values=values, errors=errors or {},
                           hospital=hospital, province_options=[tuple(p) for p in provinces])


def _to_hospital(hospital):
    flash(_("Hospital %(name)s saved.", name=hospital.name), "success")
    return redirect(url_for(".hospital", hospital_id=hospital.id))


@bp.route("/hospitals/new", methods=["GET", "POST"])
@admin_only
def create_hospital():
    if request.method == "GET":
        return _hospital_form({})
    return submit(HospitalArgs(), lambda args: services.create_hospital(current_user, **args),
                  _to_hospital, lambda errors: _hospital_form(request.form, errors))


@bp.route("/hospitals/<int:hospital_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_hospital(hospital_id):
    hospital = _hospital(hospital_id)
    if request.method == "GET":
        values = {"name": hospital.name, "level": hospital.level.value, "city": hospital.city,
                  "province_id": hospital.province_id}
        return _hospital_form(values, hospital=hospital)
    return submit(HospitalPatchArgs(),
                  lambda args: services.update_hospital(current_user, hospital, **args), _to_hospital,
                  lambda errors: _hospital_form(request.form, errors, _hospital(hospital_id)))


# ---------------------------------------------------------------- departments

def _department_form(hospital, values, errors=None, department=None):
    return render_template("doctors/department_form.html", hospital=hospital, department=department,
                           values=values, errors=errors or {})


def _to_department(department):
    flash(_("Department %(name)s saved.", name=department.name), "success")
    return redirect(url_for(".hospital", hospital_id=department.hospital_id))


@bp.route("/hospitals/<int:hospital_id>/departments/new", methods=["GET", "POST"])
@admin_only
def create_department(hospital_id):
    hospital = _hospital(hospital_id)
    if request.method == "GET":
        return _department_form(hospital, {})
    data = dict(form_dict(request.form), hospital_id=hospital.id)
    return submit(DepartmentArgs(), lambda args: services.create_department(current_user, **args),
                  _to_department,
                  lambda errors: _department_form(_hospital(hospital_id), request.form, errors), data=data)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_department(department_id):
    department = _department(department_id)
    if request.method == "GET":
        values = {"name": department.name, "headcount": department.headcount}
        return _department_form(department.hospital, values, department=department)
    data = form_dict(request.form)
    data.pop("hospital_id", None)  # a department stays in its hospital here
    return submit(DepartmentPatchArgs(),
                  lambda args: services.update_department(current_user, department, **args),
                  _to_department,
                  lambda errors: _department_form(_department(department_id).hospital, request.form,
                                                  errors, _department(department_id)), data=data)


# ---------------------------------------------------------------- doctors

def _doctor_form(hospital, values, errors=None, doctor=None):
    return render_template("doctors/doctor_form.html", hospital=hospital, doctor=doctor,
                           values=values, errors=errors or {},
                           department_options=[(d.id, d.name) for d in hospital.departments])


def _to_doctor(doctor):
    flash(_("Doctor %(name)s saved.", name=doctor.name), "success")
    return redirect(url_for(".doctor", doctor_id=doctor.id))


@bp.route("/hospitals/<int:hospital_id>/doctors/new", methods=["GET", "POST"])
@admin_only
def create_doctor(hospital_id):
    hospital = _hospital(hospital_id)
    if request.method == "GET":
        return _doctor_form(hospital, {"department_id": request.args.get("department_id", "")})
    data = form_dict(request.form)
    if data.get("department_id") not in {str(d.id) for d in hospital.departments}:
        data.pop("department_id", None)  # only this hospital's departments are offered
    return submit(DoctorArgs(), lambda args: services.create_doctor(current_user, **args), _to_doctor,
                  lambda errors: _doctor_form(_hospital(hospital_id), request.form, errors), data=data)


@bp.route("/doctors/<int:doctor_id>")
@login_required
def doctor(doctor_id):
    return _doctor_page(_doctor(doctor_id))


def _doctor_page(doctor, values=None, errors=None):
    values = values if values is not None else {
        "grade": doctor.grade_override.value if doctor.grade_override else "",
        "reason": doctor.grade_override_reason or ""}
    return render_template("doctors/doctor.html", doctor=doctor, values=values, errors=errors or {},
                           grade_options=[(g.value, g.value) for g in Grade], **GRADING)


@bp.route("/doctors/<int:doctor_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_doctor(doctor_id):
    doctor = _doctor(doctor_id)
    hospital = doctor.department.hospital
    if request.method == "GET":
        values = {"department_id": doctor.department_id, "name": doctor.name,
                  "title": doctor.title.value, "position": doctor.position.value,
                  "potential": doctor.potential, "support": doctor.support}
        return _doctor_form(hospital, values, doctor=doctor)
    data = form_dict(request.form)
    if data.get("department_id") not in {str(d.id) for d in hospital.departments}:
        data.pop("department_id", None)
    return submit(DoctorPatchArgs(), lambda args: services.update_doctor(current_user, doctor, **args),
                  _to_doctor,
                  lambda errors: _doctor_form(_doctor(doctor_id).department.hospital, request.form,
                                              errors, _doctor(doctor_id)), data=data)


@bp.route("/doctors/<int:doctor_id>/grade", methods=["POST"])
@admin_only
def override_grade(doctor_id):
    doctor = _doctor(doctor_id)
    data = form_dict(request.form)
    data.setdefault("grade", None)  # the empty choice: back to the computed grade
    return submit(GradeOverrideArgs(),
                  lambda args: services.override_grade(current_user, doctor, args["grade"],
                                                       args.get("reason")),
                  _to_doctor, lambda errors: _doctor_page(_doctor(doctor_id), request.form, errors),
                  data=data)
