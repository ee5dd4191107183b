import marshmallow as ma
from marshmallow import fields, validate

from ..validation import between
from ..rest import Args, Id, LocalDateTime, Name, Text
from .models import SegmentKind
from .services import label_of


class QuizItemArgs(Args):
    question = Name(1000)
    answer = Name(1000)


class SegmentArgs(Args):
    kind = fields.Enum(SegmentKind, by_value=True, required=True)
    title = Name(200)
    planned_minutes = fields.Integer(strict=True, allow_none=True, load_default=None,
                                     validate=between(1, 240))
    quiz = fields.List(fields.Nested(QuizItemArgs), load_default=list,
                       validate=validate.Length(max=30))


class AgendaArgs(Args):
    segments = fields.List(fields.Nested(SegmentArgs), required=True,
                           validate=validate.Length(min=1, max=20))


class QuizItemSchema(ma.Schema):
    question = fields.String()
    answer = fields.String()


class SegmentSchema(ma.Schema):
    """Dumps a services.SegmentTiming: the segment with its actual figures."""
    id = fields.Integer(attribute="segment.id")
    kind = fields.Enum(SegmentKind, by_value=True, attribute="segment.kind")
    title = fields.String(attribute="segment.title")
    planned_minutes = fields.Integer(attribute="segment.planned_minutes", allow_none=True)
    started_at = LocalDateTime(attribute="segment.started_at", allow_none=True)
    finished_at = LocalDateTime(attribute="segment.finished_at", allow_none=True)
    running = fields.Boolean(attribute="segment.running")
    elapsed_seconds = fields.Integer(allow_none=True)
    actual_seconds = fields.Integer(allow_none=True)
    actual_minutes = fields.Method("_actual_minutes")
    overrun_seconds = fields.Integer(allow_none=True)
    overrun = fields.Boolean()
    quiz = fields.List(fields.Nested(QuizItemSchema), attribute="segment.quiz")

    def _actual_minutes(self, t):
        return None if t.actual_seconds is None else round(t.actual_seconds / 60, 1)


class AgendaSchema(ma.Schema):
    """Dumps services.run_report(meeting)."""
    segments = fields.List(fields.Nested(SegmentSchema))
    planned_total_minutes = fields.Integer()
    actual_total_seconds = fields.Integer()
    actual_total_minutes = fields.Function(lambda r: round(r["actual_total_seconds"] / 60, 1))
    overrun_total_seconds = fields.Integer()
    running_segment_id = fields.Function(lambda r: r["running"].id if r["running"] else None)
    warnings = fields.List(fields.String())


class ChecklistItemArgs(Args):
    id = Id(allow_none=True)
    label = Text(200, allow_none=True)
    ticked = fields.Boolean(load_default=False)


class ChecklistArgs(Args):
    items = fields.List(fields.Nested(ChecklistItemArgs), required=True,
                        validate=validate.Length(max=100))


class ChecklistItemSchema(ma.Schema):
    id = fields.Integer()
    key = fields.String(allow_none=True)
    label = fields.Function(label_of)
    ticked = fields.Boolean()
    ticked_at = LocalDateTime(allow_none=True)


class ChecklistSchema(ma.Schema):
    items = fields.List(fields.Nested(ChecklistItemSchema))
    unticked = fields.List(fields.Nested(ChecklistItemSchema))
    complete = fields.Function(lambda c: not c["unticked"])
    arrive_by = LocalDateTime()
    room_ready_by = LocalDateTime()
