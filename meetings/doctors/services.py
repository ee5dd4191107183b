"""Hospitals, departments, doctors and the customer grade (SPEC §2)."""
from __future__ import annotations

from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, func, or_, select

from .. import audit
from ..auth.models import Role, User
from ..errors import Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..orgs.models import Province
from ..orgs.scope import provinces_for
from ..types import utcnow
from .models import NEVER_KEY_TITLES, Department, Doctor, Grade, Hospital

GRADE_RANK = {Grade.A: 4, Grade.B: 3, Grade.C: 2, Grade.D: 1}


def computed_grade(potential: Decimal, support: Decimal) -> Grade:
    """The 2×2 of SPEC §2: potential decides high/low, support share decides
    whether the doctor is ours (A, C) or a competitor's (B, D)."""
    cfg = current_app.config
    potential, support = Decimal(potential or 0), Decimal(support or 0)
    high_potential = potential >= cfg["GRADE_HIGH_POTENTIAL"]
    high_support = potential > 0 and support / potential >= cfg["GRADE_HIGH_SUPPORT_RATIO"]
    if high_potential:
        return Grade.A if high_support else Grade.B
    return Grade.C if high_support else Grade.D


def grade_of(doctor: Doctor) -> Grade:
    return doctor.grade_override or computed_grade(doctor.potential, doctor.support)


def is_key(doctor: Doctor) -> bool:
    return doctor.title not in NEVER_KEY_TITLES and grade_of(doctor) in (Grade.A, Grade.B)


def key_clause(doctor=Doctor):
    """is_key() as a SQL condition on `doctor` (the Doctor entity or an alias),
    for reports that aggregate many meetings in one query. A and B are exactly
    the high-potential grades, so without an override support does not matter."""
    high_potential = func.coalesce(doctor.potential, 0) >= current_app.config["GRADE_HIGH_POTENTIAL"]
    return and_(doctor.title.not_in(list(NEVER_KEY_TITLES)),
                or_(doctor.grade_override.in_([Grade.A, Grade.B]),
                    and_(doctor.grade_override.is_(None), high_potential)))


def at_least(grade: Grade, floor: Grade) -> bool:
    return GRADE_RANK[grade] >= GRADE_RANK[floor]


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden("only an administrator manages hospitals and doctors")


def _get(model, ident, field):
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        raise InvalidInput(f"{field}: no such record ({ident})", field=field)
    return obj


def get_hospital(hospital_id: int) -> Hospital:
    obj = db.session.get(Hospital, hospital_id)
    if obj is None:
        raise NotFound("hospital not found")
    return obj


def get_department(department_id: int) -> Department:
    obj = db.session.get(Department, department_id)
    if obj is None:
        raise NotFound("department not found")
    return obj


def get_doctor(doctor_id: int) -> Doctor:
    obj = db.session.get(Doctor, doctor_id)
    if obj is None:
        raise NotFound("doctor not found")
    return obj


def create_hospital(actor: User, *, name, level, city, province_id) -> Hospital:
    _require_admin(actor)
    _get(Province, province_id, "province_id")
    hospital = Hospital(name=name, level=level, city=city, province_id=province_id)
    db.session.add(hospital)
    db.session.flush()
    return hospital


def update_hospital(actor: User, hospital: Hospital, **changes) -> Hospital:
    _require_admin(actor)
    if "province_id" in changes:
        _get(Province, changes["province_id"], "province_id")
    for key, value in changes.items():
        setattr(hospital, key, value)
    db.session.flush()
    return hospital


def create_department(actor: User, *, hospital_id, name, headcount=0) -> Department:
    _require_admin(actor)
    _get(Hospital, hospital_id, "hospital_id")
    department = Department(hospital_id=hospital_id, name=name, headcount=headcount)
    db.session.add(department)
    db.session.flush()
    return department


def update_department(actor: User, department: Department, **changes) -> Department:
    _require_admin(actor)
    if "hospital_id" in changes:
        _get(Hospital, changes["hospital_id"], "hospital_id")
    for key, value in changes.items():
        setattr(department, key, value)
    db.session.flush()
    return department


def create_doctor(actor: User, *, department_id, name, title, position,
                  potential=Decimal("0"), support=Decimal("0")) -> Doctor:
    _require_admin(actor)
    _get(Department, department_id, "department_id")
    doctor = Doctor(department_id=department_id, name=name, title=title, position=position,
                    potential=Decimal(str(potential)), support=Decimal(str(support)))
    db.session.add(doctor)
    db.session.flush()
    return doctor


def update_doctor(actor: User, doctor: Doctor, **changes) -> Doctor:
    """Admins keep master data; a rep may update the figures they collect on
    visits (potential, support) for doctors of their province."""
    figures_only = set(changes) <= {"potential", "support"}
    if actor.role != Role.admin and not (
        figures_only and actor.role == Role.rep
        and doctor.department.hospital.province_id == actor.province_id
    ):
        raise Forbidden("you may not change this doctor")
    if "department_id" in changes:
        _get(Department, changes["department_id"], "department_id")
    for key in ("potential", "support"):
        if key in changes:
            changes[key] = Decimal(str(changes[key]))
    for key, value in changes.items():
        setattr(doctor, key, value)
    db.session.flush()
    return doctor


def override_grade(actor: User, doctor: Doctor, grade: Grade | None, reason: str | None) -> Doctor:
    """SPEC §2: the grade is computed; an admin may override it with a reason,
    and every override (or its removal) is audited."""
    _require_admin(actor)
    if grade is not None and not (reason and reason.strip()):
        raise InvalidInput("reason: a grade override needs a reason", field="reason")
    before = grade_of(doctor)
    doctor.grade_override = grade
    doctor.grade_override_reason = reason.strip() if grade is not None else None
    doctor.grade_override_by_id = actor.id if grade is not None else None
    doctor.grade_override_at = utcnow() if grade is not None else None
    audit.record(actor, "doctor", doctor.id, "grade_override",
                 before=before.value, after=grade_of(doctor).value,
                 computed=computed_grade(doctor.potential, doctor.support).value,
                 reason=reason)
    db.session.flush()
    return doctor


# ---------------------------------------------------------------- visibility

def visible_hospitals(user: User):
    """Province-bound roles see their province's hospitals, a regional manager
    the region's, marketing and admin all (as meetings, SPEC §1)."""
    query = select(Hospital.id)
    in_scope = provinces_for(user, Hospital.province_id)
    return query if in_scope is None else query.where(in_scope)


def can_see_hospital(user: User, hospital_id: int) -> bool:
    return db.session.scalar(visible_hospitals(user).where(Hospital.id == hospital_id)) is not None
