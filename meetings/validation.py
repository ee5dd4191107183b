"""marshmallow's messages in our words, in the reader's language, through
marshmallow's own hooks: every field type's `default_error_messages`, the
schemas' `error_messages` and the validators' messages are `Message`s — our
English msgids (in the catalog) that are translated when marshmallow formats
them, i.e. when an input is refused, in the request's language. No table maps
marshmallow's English afterwards.

Imported by meetings/__init__.py before any schema is defined: a field copies
its messages when it is created.
"""
from __future__ import annotations

from flask_babel import gettext
from marshmallow import Schema, fields, validate


class Message(str):
    """An English msgid for one of marshmallow's messages. marshmallow calls
    `format` when it raises (Field.make_error, a validator's _format_error):
    the words are translated then, and the placeholders ({min}, {max}) filled."""

    def format(self, *args, **kwargs) -> str:
        return gettext(str(self)).format(*args, **kwargs)


def words(message) -> str:
    """A leaf of a ValidationError's messages as the reader's words: a Message
    marshmallow used as it is (a schema-level one) is translated here; the rest
    were translated when raised."""
    return gettext(str(message)) if isinstance(message, Message) else str(message)


def translated(messages):
    """A ValidationError's messages (nested dicts and lists, as marshmallow
    and webargs give them) with every leaf in the reader's words."""
    if isinstance(messages, dict):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [translated(value) for value in messages]
    return words(messages)


REQUIRED = Message("Required.")
INVALID = Message("Invalid value.")
NOT_A_NUMBER = Message("Not a number.")
CHOOSE = Message("Choose one of the offered values.")

FIELD_MESSAGES: dict[type, dict[str, Message]] = {
    fields.Field: {"required": REQUIRED, "null": REQUIRED, "validator_failed": INVALID},
    fields.Nested: {"type": INVALID},
    fields.List: {"invalid": Message("Not a list.")},
    fields.Tuple: {"invalid": Message("Not a list.")},
    fields.String: {"invalid": Message("Not text."), "invalid_utf8": Message("Not text.")},
    fields.UUID: {"invalid_uuid": INVALID},
    fields.Number: {"invalid": NOT_A_NUMBER, "too_large": Message("The number is too large.")},
    fields.Integer: {"invalid": Message("Not a whole number.")},
    fields.Float: {"special": NOT_A_NUMBER},
    fields.Decimal: {"special": NOT_A_NUMBER},
    fields.Boolean: {"invalid": Message("Not yes or no.")},
    fields.DateTime: {"invalid": Message("Not a date and time."),
                      "invalid_awareness": Message("Not a date and time."), "format": INVALID},
    fields.NaiveDateTime: {"invalid": Message("Not a date and time."),
                           "invalid_awareness": Message("Not a date and time."), "format": INVALID},
    fields.AwareDateTime: {"invalid": Message("Not a date and time."),
                           "invalid_awareness": Message("Not a date and time."), "format": INVALID},
    fields.Date: {"invalid": Message("Not a date."), "format": INVALID},
    fields.Time: {"invalid": Message("Not a time."), "format": INVALID},
    fields.TimeDelta: {"invalid": INVALID, "format": INVALID},
    fields.Mapping: {"invalid": Message("Not a set of fields.")},
    fields.Url: {"invalid": Message("Not a web address.")},
    fields.Email: {"invalid": Message("Not an e-mail address.")},
    fields.IP: {"invalid_ip": INVALID},
    fields.IPv4: {"invalid_ip": INVALID},
    fields.IPv6: {"invalid_ip": INVALID},
    fields.IPInterface: {"invalid_ip_interface": INVALID},
    fields.IPv4Interface: {"invalid_ip_interface": INVALID},
    fields.IPv6Interface: {"invalid_ip_interface": INVALID},
    fields.Enum: {"unknown": CHOOSE},
}

SCHEMA_MESSAGES = {"type": INVALID, "unknown": Message("This field is not expected.")}

# Validators format their class's message when they refuse (Length, OneOf,
# Regexp…); Range formats its own in __init__, so ours pass `error=` (between).
VALIDATOR_MESSAGES: dict[type, dict[str, Message]] = {
    validate.Length: {"message_min": Message("At least {min} characters."),
                      "message_max": Message("At most {max} characters."),
                      "message_all": Message("Between {min} and {max} characters."),
                      "message_equal": Message("Exactly {equal} characters.")},
    validate.OneOf: {"default_message": CHOOSE},
    validate.Regexp: {"default_message": INVALID},
    validate.Equal: {"default_message": INVALID},
    validate.Predicate: {"default_message": INVALID},
    validate.NoneOf: {"default_message": INVALID},
    validate.ContainsOnly: {"default_message": CHOOSE},
    validate.ContainsNoneOf: {"default_message": INVALID},
    validate.URL: {"default_message": Message("Not a web address.")},
    validate.Email: {"default_message": Message("Not an e-mail address.")},
}


def install() -> None:
    for cls, messages in FIELD_MESSAGES.items():
        # each class's own dict, so a subclass's override is not shared upwards
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}
    Schema.error_messages = dict(SCHEMA_MESSAGES)
    for cls, messages in VALIDATOR_MESSAGES.items():
        for name, message in messages.items():
            setattr(cls, name, message)


install()


def between(low=None, high=None, **kw) -> validate.Range:
    """validate.Range with its message in our words."""
    if low is not None and high is not None:
        error = Message("From {min} to {max}.")
    elif low is not None:
        error = Message("At least {min}.")
    else:
        error = Message("At most {max}.")
    return validate.Range(min=low, max=high, error=error, **kw)
