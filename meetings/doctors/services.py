"""Hospitals, departments, doctors and the customer grade (SPEC §2)."""
from __future__ import annotations

import logging
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, and_, case, cast, func, or_, select

from ..actionlog import changes as changes_of
from ..actionlog import log_action, snapshot
from ..auth.models import Role, User
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..extensions import db
from ..orgs.models import Province
from ..orgs.scope import provinces_for
from ..types import utcnow
from .models import NEVER_KEY_TITLES, Department, Doctor, Grade, Hospital

log = logging.getLogger("meetings.doctors")

GRADE_RANK = {Grade.A: 4, Grade.B: 3, Grade.C: 2, Grade.D: 1}
# what the action log keeps of master data: ids and non-personal values (SPEC §11)
HOSPITAL_FIELDS = ("name", "level", "city", "province_id")
DEPARTMENT_FIELDS = ("hospital_id", "name", "headcount")
DOCTOR_FIELDS = ("department_id", "title", "position", "potential", "support")


def _log_update(actor, obj_type: str, obj_id: int, old: dict, new: dict) -> None:
    before, after = changes_of(old, new)
    if after:
        log_action(actor, "update", obj_type, obj_id, before=before, after=after)


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


def grade_clause(doctor=Doctor):
    """grade_of() as a SQL expression giving the grade's letter ("A"…"D"),
    for lists and plans that sort or count doctors by grade in one query."""
    cfg = current_app.config
    potential, support = func.coalesce(doctor.potential, 0), func.coalesce(doctor.support, 0)
    high_potential = potential >= cfg["GRADE_HIGH_POTENTIAL"]
    high_support = and_(potential > 0, support >= potential * cfg["GRADE_HIGH_SUPPORT_RATIO"])
    computed = case((and_(high_potential, high_support), "A"), (high_potential, "B"),
                    (high_support, "C"), else_="D")
    return func.coalesce(cast(doctor.grade_override, String(1)), computed)


def at_least(grade: Grade, floor: Grade) -> bool:
    return GRADE_RANK[grade] >= GRADE_RANK[floor]


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden(_("only an administrator manages hospitals and doctors"))


def _get(model, ident, field):
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        raise InvalidInput(_("no such record (%(id)s)", id=ident), field=field)
    return obj


def get_hospital(hospital_id: int) -> Hospital:
    obj = db.session.get(Hospital, hospital_id)
    if obj is None:
        raise NotFound(_("hospital not found"))
    return obj


def get_department(department_id: int) -> Department:
    obj = db.session.get(Department, department_id)
    if obj is None:
        raise NotFound(_("department not found"))
    return obj


def get_doctor(doctor_id: int) -> Doctor:
    obj = db.session.get(Doctor, doctor_id)
    if obj is None:
        raise NotFound(_("doctor not found"))
    return obj


def create_hospital(actor: User, *, name, level, city, province_id) -> Hospital:
    _require_admin(actor)
    _get(Province, province_id, "province_id")
    hospital = Hospital(name=name, level=level, city=city, province_id=province_id)
    db.session.add(hospital)
    db.session.flush()
    log_action(actor, "create", "hospital", hospital.id, after=snapshot(hospital, HOSPITAL_FIELDS))
    return hospital


# What still references a hospital or a department, from the layers above
# (the meeting registers its check in connect()): `check(kind, id)` returns
# the ids of the meetings there. Called directly: a refusal must not depend
# on who happens to listen.
MOVE_CHECKS: list = []


def check_on_move(check) -> None:
    """Register `check("hospital" | "department", id) -> list of meeting ids`. Idempotent."""
    if check not in MOVE_CHECKS:
        MOVE_CHECKS.append(check)


def _refuse_move_while_referenced(actor: User, kind: str, object_id: int, field: str, to) -> None:
    """A hospital moved to another province, or a department to another
    hospital, would leave its meetings visible where their hospital is not
    (SPEC §1): refused (409) while meetings reference it, naming them; the
    refusal is logged (the request's transaction rolls back, so not in the
    action log)."""
    meetings = sorted({i for check in MOVE_CHECKS for i in check(kind, object_id)})
    if not meetings:
        return
    shown = ", ".join(str(i) for i in meetings[:20]) + (" …" if len(meetings) > 20 else "")
    log.warning("refused moving %s %s (%s → %s): meetings %s reference it", kind, object_id, field, to, shown,
                extra={"actor_id": actor.id})
    message = (_("meetings %(ids)s are at this hospital; a hospital with meetings keeps its province",
                 ids=shown) if kind == "hospital" else
               _("meetings %(ids)s are in this department; a department with meetings keeps its hospital",
                 ids=shown))
    raise StillReferenced(message, field=field, meetings=meetings)


class StillReferenced(Conflict):
    reason = "still_referenced"


def update_hospital(actor: User, hospital: Hospital, **changes) -> Hospital:
    _require_admin(actor)
    if "province_id" in changes:
        _get(Province, changes["province_id"], "province_id")
        if changes["province_id"] != hospital.province_id:
            _refuse_move_while_referenced(actor, "hospital", hospital.id, "province_id", changes["province_id"])
    old = snapshot(hospital, HOSPITAL_FIELDS)
    for key, value in changes.items():
        setattr(hospital, key, value)
    db.session.flush()
    _log_update(actor, "hospital", hospital.id, old, snapshot(hospital, HOSPITAL_FIELDS))
    return hospital


def create_department(actor: User, *, hospital_id, name, headcount=0) -> Department:
    _require_admin(actor)
    _get(Hospital, hospital_id, "hospital_id")
    department = Department(hospital_id=hospital_id, name=name, headcount=headcount)
    db.session.add(department)
    db.session.flush()
    log_action(actor, "create", "department", department.id, after=snapshot(department, DEPARTMENT_FIELDS))
    return department


def update_department(actor: User, department: Department, **changes) -> Department:
    _require_admin(actor)
    if "hospital_id" in changes:
        _get(Hospital, changes["hospital_id"], "hospital_id")
        if changes["hospital_id"] != department.hospital_id:
            _refuse_move_while_referenced(actor, "department", department.id, "hospital_id", changes["hospital_id"])
    old = snapshot(department, DEPARTMENT_FIELDS)
    for key, value in changes.items():
        setattr(department, key, value)
    db.session.flush()
    _log_update(actor, "department", department.id, old, snapshot(department, DEPARTMENT_FIELDS))
    return department


def create_doctor(actor: User, *, department_id, name, title, position,
                  potential=Decimal("0"), support=Decimal("0")) -> Doctor:
    _require_admin(actor)
    _get(Department, department_id, "department_id")
    doctor = Doctor(department_id=department_id, name=name, title=title, position=position,
                    potential=Decimal(str(potential)), support=Decimal(str(support)))
    db.session.add(doctor)
    db.session.flush()
    log_action(actor, "create", "doctor", doctor.id, after=snapshot(doctor, DOCTOR_FIELDS))
    return doctor


# What a rep learns on visits and may correct for doctors of their province.
# Potential, support and the grade decide the key-customer and backup rules,
# so a rep never sets them (a rep lowered a grade-A doctor's potential to make
# the backup rule go away, submitted, and raised it again).
REP_MAY_CHANGE = frozenset({"title", "position"})
# Personal data stays out of the audit log (SPEC §11): the field is named, the value not.
PERSONAL = frozenset({"name"})


def update_doctor(actor: User, doctor: Doctor, **changes) -> Doctor:
    """Admins keep master data; a rep may correct a doctor's title and
    position for doctors of their province. Every change is audited with its
    old and new values."""
    rep_change = (actor.role == Role.rep and set(changes) <= REP_MAY_CHANGE
                  and doctor.department.hospital.province_id == actor.province_id)
    if actor.role != Role.admin and not rep_change:
        raise Forbidden(_("you may not change this doctor: reps correct only title and position; "
                          "potential, support and grades are kept by an administrator"))
    if "department_id" in changes:
        _get(Department, changes["department_id"], "department_id")
    for key in ("potential", "support"):
        if key in changes:
            changes[key] = Decimal(str(changes[key]))
    before, after = {}, {}
    for key, value in changes.items():
        old = getattr(doctor, key)
        if old != value:
            # a personal field is named as changed, its values never enter the log
            before[key] = None if key in PERSONAL else _plain(old)
            after[key] = "changed" if key in PERSONAL else _plain(value)
        setattr(doctor, key, value)
    db.session.flush()
    if after:
        log_action(actor, "update", "doctor", doctor.id, before=before, after=after)
    return doctor


def _plain(value):
    return getattr(value, "value", value)


def override_grade(actor: User, doctor: Doctor, grade: Grade | None, reason: str | None) -> Doctor:
    """SPEC §2: the grade is computed; an admin may override it with a reason,
    and every override (or its removal) is audited."""
    _require_admin(actor)
    if grade is not None and not (reason and reason.strip()):
        raise InvalidInput(_("a grade override needs a reason"), field="reason")
    before = grade_of(doctor)
    doctor.grade_override = grade
    doctor.grade_override_reason = reason.strip() if grade is not None else None
    doctor.grade_override_by_id = actor.id if grade is not None else None
    doctor.grade_override_at = utcnow() if grade is not None else None
    # the reason is kept on the doctor (erased with it), not in the log: it may describe the person
    log_action(actor, "grade_override", "doctor", doctor.id, before={"grade": before},
               after={"grade": grade_of(doctor), "override": grade,
                      "computed": computed_grade(doctor.potential, doctor.support)})
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
