from marshmallow import fields, validate

from ..rest import Args, Id, Name, Text
from .models import Role
import marshmallow as ma


class TokenArgs(Args):
    username = Name(80)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class TokenSchema(ma.Schema):
    token = fields.String()


class UserArgs(Args):
    username = Name(80)
    password = fields.String(required=True, validate=validate.Length(min=10, max=200))
    display_name = Text(120)
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    role = fields.Enum(Role, by_value=True, required=True)
    province_id = Id(allow_none=True)
    region_id = Id(allow_none=True)


class UserPatchArgs(Args):
    password = fields.String(validate=validate.Length(min=10, max=200))
    display_name = Text(120)
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    province_id = Id(allow_none=True)
    region_id = Id(allow_none=True)
    active = fields.Boolean()


class UserSchema(ma.Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.Enum(Role, by_value=True)
    province_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class PasswordChangeArgs(Args):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, validate=validate.Length(min=10, max=200))
