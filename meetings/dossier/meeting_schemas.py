import marshmallow as ma
from flask import g
from marshmallow import fields, validate

from ..rest import Args, Partial, Id, plain_dumper, QueryId, LocalDateTime, Money, Name, Text
from ..validation import Message, between
from ..links import external_url
from ..proposals.models import Audience, BudgetCategory, Format, Purpose, Status
from ..invitees.services import to_reconfirm
from ..proposals.services import runs_meeting
from .warnings import meeting_warnings


class BudgetLineArgs(Args):
    category = fields.Enum(BudgetCategory, by_value=True, required=True)
    amount = Money(required=True)
    note = Text(200, allow_none=True)


class MeetingBudgetArgs(Args):
    lines = fields.List(fields.Nested(BudgetLineArgs), load_default=list,
                        validate=validate.Length(max=50, error=Message("At most {max} people.")))


class PreconditionsArgs(Args):
    supply_channel_open = fields.Boolean(load_default=False)
    department_head_agreed = fields.Boolean(load_default=False)
    relations_ok = fields.Boolean(load_default=False)


class MeetingArgs(Args):
    hospital_id = Id(required=True)
    department_id = Id(required=True)
    topic = Name(200)
    purpose = fields.Enum(Purpose, by_value=True, required=True)
    audience = fields.Enum(Audience, by_value=True, required=True)
    format = fields.Enum(Format, by_value=True, required=True)
    venue = Name(200)
    starts_at = LocalDateTime(required=True)
    expected_attendees = fields.Integer(strict=True, required=True,
                                        validate=between(1, 10000))
    speaker_id = Id(allow_none=True)
    staff_ids = fields.List(Id(), load_default=list,
                            validate=validate.Length(max=50, error=Message("At most {max} people.")))
    budget = fields.Nested(MeetingBudgetArgs, load_default=lambda: {"lines": []})
    preconditions = fields.Nested(PreconditionsArgs, load_default=lambda: PreconditionsArgs().load({}))
    needs = Text(5000, allow_none=True)
    # SPEC §9: the product whose sales effect the scorecard measures (none: all)
    product = Text(80, allow_none=True)


class MeetingPatchArgs(Partial, MeetingArgs):
    pass


class MeetingFilter(Args):
    status = fields.Enum(Status, by_value=True)
    province_id = QueryId()
    from_ = LocalDateTime(data_key="from")
    to = LocalDateTime()
    # the topic, the hospital or an invited doctor's name contains it
    q = fields.String(validate=validate.Length(max=100))


class BudgetLineSchema(ma.Schema):
    category = fields.Enum(BudgetCategory, by_value=True)
    amount = fields.Decimal(as_string=True, places=2)
    note = fields.String(allow_none=True)


# a budget line as BudgetLineSchema dumps it (rest.plain_dumper: a nested
# schema's dump per meeting cost ~20 µs, a millisecond a page of 50)
BUDGET_LINE = plain_dumper(BudgetLineSchema())


class TransitionSchema(ma.Schema):
    """One entry of the meeting's history: its part of the action log."""
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    at = LocalDateTime()
    comment = fields.String(allow_none=True)


class MeetingListItemFields(ma.Schema):
    """A meeting as a list shows it: everything but what only the item
    carries (warnings, history, to_reconfirm: each needs queries of its own,
    which a page of 500 would multiply; GET /meetings/{id} has them). It
    dumps a Meeting and a row of the list's page alike
    (meeting_list.ListedMeeting reads as a Meeting does)."""
    id = fields.Integer()
    status = fields.Enum(Status, by_value=True)
    owner_id = fields.Integer()
    province_id = fields.Integer()
    hospital_id = fields.Integer()
    department_id = fields.Integer()
    topic = fields.String()
    purpose = fields.Enum(Purpose, by_value=True)
    audience = fields.Enum(Audience, by_value=True)
    format = fields.Enum(Format, by_value=True)
    venue = fields.String()
    starts_at = LocalDateTime()
    expected_attendees = fields.Integer()
    speaker_id = fields.Integer(allow_none=True)
    staff_ids = fields.List(fields.Integer())
    budget = fields.Function(lambda m: {
        "lines": [BUDGET_LINE(line) for line in m.budget_lines],
        "total": str(m.budget_total),
    })
    preconditions = fields.Function(lambda m: {
        "supply_channel_open": m.supply_channel_open,
        "department_head_agreed": m.department_head_agreed,
        "relations_ok": m.relations_ok,
    })
    needs = fields.String(allow_none=True)
    product = fields.String(allow_none=True)
    drawn_amount = fields.Decimal(as_string=True, places=2, allow_none=True)
    checkin_url = fields.Method("_checkin_url")

    def _checkin_url(self, meeting):
        return checkin_url(g.get("api_user"), meeting)


class MeetingListItemSchema(MeetingListItemFields):
    """The list's items, from a page of rows (meeting_list.list_items),
    dumped by a function derived from these fields (rest.plain_dumper): the
    same dict marshmallow's dump makes, at a fifth of its cost a page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._dump_one = plain_dumper(self)

    def dump(self, obj, *, many: bool | None = None):
        if self.many if many is None else many:
            return [self._dump_one(item) for item in obj]
        return self._dump_one(obj)


class MeetingSchema(MeetingListItemFields):
    warnings = fields.Function(meeting_warnings)
    history = fields.List(fields.Nested(TransitionSchema))
    # SPEC §4 day-before re-confirmation: invitee ids of key invitees not yet
    # confirmed, while the meeting is still ahead (what the reminder job uses).
    to_reconfirm = fields.Method("_to_reconfirm")

    def _to_reconfirm(self, meeting):
        if meeting.status not in (Status.draft, Status.submitted, Status.pending_regional,
                                  Status.approved):
            return []
        return [invitee.id for invitee in to_reconfirm(meeting)]


def checkin_url(user, meeting) -> str | None:
    """SPEC §10: the self sign-in page (under PUBLIC_URL), for those who run
    the meeting (a meeting or a row of one)."""
    if user is None or not runs_meeting(user, meeting):
        return None
    return external_url("checkin.self_checkin", token=meeting.checkin_token)
