import marshmallow as ma
from flask import g
from marshmallow import fields, validate

from ..rest import Args, Partial, Prebuilt, Id, QueryId, LocalDateTime, Money, Name, Text
from ..links import external_url
from ..proposals.models import Audience, BudgetCategory, Format, Purpose, Status
from ..invitees.services import to_reconfirm
from ..proposals.services import runner
from .warnings import meeting_warnings


class BudgetLineArgs(Args):
    category = fields.Enum(BudgetCategory, by_value=True, required=True)
    amount = Money(required=True)
    note = Text(200, allow_none=True)


class MeetingBudgetArgs(Args):
    lines = fields.List(fields.Nested(BudgetLineArgs), load_default=list,
                        validate=validate.Length(max=50))


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
                                        validate=validate.Range(min=1, max=10000))
    speaker_id = Id(allow_none=True)
    staff_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=50))
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


# One instance for every meeting: building a schema costs more than dumping
# a meeting's few budget lines (half a millisecond a meeting in a list).
BUDGET_LINES = BudgetLineSchema(many=True)


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
    which a page of 500 would multiply; GET /meetings/{id} has them)."""
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
    staff_ids = fields.Function(lambda m: [u.id for u in m.staff])
    budget = fields.Function(lambda m: {
        "lines": BUDGET_LINES.dump(m.budget_lines),
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


class MeetingListItemSchema(Prebuilt, MeetingListItemFields):
    """The list's items, built from a page of rows by meeting_list.list_items."""


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
    """SPEC §10: the self sign-in page, for those who run the meeting (a
    meeting or a row of one)."""
    return checkin_urls(user)(meeting)


_TOKEN = "checkin-token"


def checkin_urls(user):
    """checkin_url(user, ·) for a page of meetings: the address is built
    once (url_for costs ~8 µs, and every meeting on a rep's page is theirs)
    and each meeting's token put into it — check-in tokens are URL-safe
    (secrets.token_urlsafe), so url_for would not have quoted them."""
    parts = []
    runs = runner(user) if user is not None else (lambda _meeting: False)

    def url(meeting) -> str | None:
        if not runs(meeting):
            return None
        if not parts:
            # SPEC §10: under PUBLIC_URL
            parts.extend(external_url("checkin.self_checkin", token=_TOKEN).rpartition(_TOKEN)[::2])
        return parts[0] + meeting.checkin_token + parts[1]
    return url
