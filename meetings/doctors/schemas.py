import marshmallow as ma
from marshmallow import fields

from ..validation import between
from ..rest import Args, Id, Name, Partial, Text, within
from .models import Grade, HospitalLevel, Position, Title
from .services import grade_of, is_key

def Figure(**kw):
    """Boxes per month (potential, support)."""
    return fields.Decimal(places=2, allow_nan=False, validate=within(0, 10**7), **kw)


class HospitalArgs(Args):
    name = Name(120)
    level = fields.Enum(HospitalLevel, by_value=True, required=True)
    city = Name(80)
    province_id = Id(required=True)


class HospitalPatchArgs(Partial, HospitalArgs):
    pass


class HospitalSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.Enum(HospitalLevel, by_value=True)
    city = fields.String()
    province_id = fields.Integer()


class DepartmentArgs(Args):
    hospital_id = Id(required=True)
    name = Name(120)
    headcount = fields.Integer(strict=True, load_default=0, validate=between(0, 100000))


class DepartmentSchema(ma.Schema):
    id = fields.Integer()
    hospital_id = fields.Integer()
    name = fields.String()
    headcount = fields.Integer()


class DoctorArgs(Args):
    department_id = Id(required=True)
    name = Name(80)
    title = fields.Enum(Title, by_value=True, required=True)
    position = fields.Enum(Position, by_value=True, required=True)
    potential = Figure(load_default=0)
    support = Figure(load_default=0)


class DepartmentPatchArgs(Partial, DepartmentArgs):
    pass


class DoctorPatchArgs(Partial, DoctorArgs):
    pass


class GradeOverrideArgs(Args):
    grade = fields.Enum(Grade, by_value=True, allow_none=True, required=True)
    reason = Text(1000, allow_none=True)


class DoctorSchema(ma.Schema):
    id = fields.Integer()
    department_id = fields.Integer()
    hospital_id = fields.Integer()
    name = fields.String()
    title = fields.Enum(Title, by_value=True)
    position = fields.Enum(Position, by_value=True)
    potential = fields.Float()
    support = fields.Float()
    grade = fields.Function(lambda d: grade_of(d).value)
    key = fields.Function(is_key)
    grade_override = fields.Enum(Grade, by_value=True, allow_none=True)
    grade_override_reason = fields.String(allow_none=True)
    erased = fields.Function(lambda d: d.erased_at is not None)  # PIPL: anonymised
