"""Agenda rules (SPEC §6), the run-of-show record, and the materials checklist.

The plan is edited by the meeting's owner while the proposal is being prepared
(draft … approved); on the day those who run the meeting start and finish each
segment, and the record keeps the actual times for the summary.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..auth.models import User
from ..errors import Advice, AgendaRuleBroken, Conflict, Forbidden, InvalidInput, InvalidTransition, NotFound, Problems
from ..labels import label
from ..extensions import db
from ..proposals.models import Meeting, Status
from ..proposals.services import runs_meeting
from ..signals import meeting_created, meeting_transitioned
from ..types import utcnow
from .models import AgendaSegment, ChecklistItem, QuizItem, SegmentKind
from ..proposals.labels import status_text

# SPEC §6 (manual 四.4 时间控制): about 35 minutes in all.
DEFAULT_AGENDA = (
    (SegmentKind.video, _l("Company video and sign-in"), 5),
    (SegmentKind.talk, _l("Product talk"), 15),
    (SegmentKind.quiz, _l("Prize quiz"), 5),
    (SegmentKind.chief_review, _l("Department chief's review"), 5),
    (SegmentKind.closing, _l("Gifts and meal"), None),
)
TALK_MAX = 25
VIDEO_RANGE = (5, 10)
TOTAL_ADVISED = 35
TOTAL_MAX = 45

# The plan is part of the proposal: it changes until the meeting starts.
PLAN_OPEN = {Status.draft, Status.submitted, Status.pending_regional, Status.approved}
CHECKLIST_OPEN = PLAN_OPEN | {Status.in_progress}


def prepare(meeting: Meeting) -> None:
    """A new meeting gets the default agenda and checklist (on meeting_created)."""
    _add_default_agenda(meeting)
    _add_default_checklist(meeting)


def _on_meeting_created(meeting: Meeting, **_) -> None:
    prepare(meeting)


def _on_meeting_transitioned(meeting: Meeting, *, action: str, **_) -> None:
    if action == "start":
        snapshot_checklist(meeting)  # SPEC §9 hardware: the checklist when the meeting started
    elif action == "finish":
        finish_running(meeting)


def finish_running(meeting: Meeting) -> list[AgendaSegment]:
    """Finishing the meeting finishes the segment still running, at the same
    moment: the record never keeps a clock running after the meeting ended
    (issue 25, item 10). Returns the segments it finished."""
    now = utcnow()
    finished = [s for s in segments_of(meeting) if s.running]
    for segment in finished:
        segment.finished_at = now
    if finished:
        db.session.flush()
    return finished


def connect() -> None:
    """Subscribe to the meeting's signals (called by the app factory)."""
    meeting_created.connect(_on_meeting_created)
    meeting_transitioned.connect(_on_meeting_transitioned)


# ---------------------------------------------------------------- the plan

def segments_of(meeting: Meeting) -> list[AgendaSegment]:
    return list(db.session.scalars(select(AgendaSegment).where(AgendaSegment.meeting_id == meeting.id)
                                   .order_by(AgendaSegment.position)))


def _add_default_agenda(meeting: Meeting) -> list[AgendaSegment]:
    segments = [AgendaSegment(meeting_id=meeting.id, position=i, kind=kind, title=str(title),
                              planned_minutes=minutes)
                for i, (kind, title, minutes) in enumerate(DEFAULT_AGENDA)]
    db.session.add_all(segments)
    db.session.flush()
    return segments


def agenda(meeting: Meeting) -> list[AgendaSegment]:
    """The meeting's plan. Every meeting has one: a new meeting gets the
    default at creation (prepare), older ones got it from the data migration
    2026_12_07_5d1e0c4b7a92."""
    return segments_of(meeting)


def check_plan(segments: list[dict]) -> list[str]:
    """SPEC §6 rules on a planned agenda. Errors raise AgendaRuleBroken naming
    the field; what is only advice comes back as warnings."""
    if not segments:
        raise AgendaRuleBroken(_("an agenda has at least one segment"), field="segments")
    total = 0
    warnings = []
    problems = Problems()
    for i, seg in enumerate(segments):
        kind, minutes = SegmentKind(seg["kind"]), seg.get("planned_minutes")
        field = f"segments.{i}.planned_minutes"
        if kind == SegmentKind.closing:
            if minutes is not None:
                problems.add(field, _("gifts and meal are not timed; leave the minutes empty"))
        elif minutes is None:
            problems.add(field, _("a segment of the kind “%(kind)s” needs its planned minutes",
                                  kind=label(kind)))
        elif kind == SegmentKind.talk and minutes > TALK_MAX:
            problems.add(field, _("the talk is planned for %(n)s min; at most %(max)s",
                                  n=minutes, max=TALK_MAX))
        elif kind == SegmentKind.video and not VIDEO_RANGE[0] <= minutes <= VIDEO_RANGE[1]:
            problems.add(field, _("the video is planned for %(n)s min; it runs %(low)s–%(high)s min",
                                  n=minutes, low=VIDEO_RANGE[0], high=VIDEO_RANGE[1]))
        if seg.get("quiz") and kind != SegmentKind.quiz:
            problems.add(f"segments.{i}.quiz", _("only a quiz segment has quiz questions"))
        if kind == SegmentKind.quiz and not seg.get("quiz"):
            warnings.append(Advice(f"segments.{i}.quiz",
                                   _("Segment %(n)s: prepare the quiz questions and their answers", n=i + 1)))
        total += minutes or 0
    if total > TOTAL_MAX:
        problems.add("planned_total_minutes", _("%(n)s min planned; at most %(max)s", n=total, max=TOTAL_MAX))
    problems.raise_any(AgendaRuleBroken)
    if total > TOTAL_ADVISED:
        warnings.insert(0, Advice("planned_total_minutes",
                                  _("The agenda is planned for %(n)s min; about %(advised)s is best",
                                    n=total, advised=TOTAL_ADVISED)))
    return warnings


def agenda_warnings(segments: list[AgendaSegment]) -> list[str]:
    try:
        return check_plan([{"kind": s.kind, "planned_minutes": s.planned_minutes,
                            "quiz": list(s.quiz)} for s in segments])
    except AgendaRuleBroken as exc:  # a plan saved before a rule changed
        return [exc.text()]


def may_plan(user: User, meeting: Meeting) -> bool:
    """Whether to offer `user` the agenda editor (replace_agenda's who and when)."""
    return meeting.owner_id == user.id and meeting.status in PLAN_OPEN


def may_tick(user: User, meeting: Meeting) -> bool:
    """Whether to offer `user` the checklist's form (update_checklist's who and when)."""
    return meeting.owner_id == user.id and meeting.status in CHECKLIST_OPEN


def timed_now(meeting: Meeting) -> bool:
    """Whether the meeting's segments are started and finished now (on the day)."""
    return meeting.status == Status.in_progress


def may_time(user: User, meeting: Meeting) -> bool:
    """Whether to offer `user` the segments' start and finish (start_segment's who and when)."""
    return timed_now(meeting) and runs_meeting(user, meeting)


def replace_agenda(actor: User, meeting: Meeting, *, segments: list[dict]) -> list[AgendaSegment]:
    if meeting.owner_id != actor.id:
        raise Forbidden(_("only the meeting's owner plans its agenda"))
    if meeting.status not in PLAN_OPEN:
        raise InvalidTransition(_("the agenda of a %(status)s meeting can no longer be changed",
                                  status=status_text(meeting.status)))
    check_plan(segments)
    for old in segments_of(meeting):
        db.session.delete(old)
    db.session.flush()  # positions are unique per meeting: clear before re-inserting
    new = []
    for i, seg in enumerate(segments):
        segment = AgendaSegment(meeting_id=meeting.id, position=i, kind=SegmentKind(seg["kind"]),
                                title=seg["title"], planned_minutes=seg.get("planned_minutes"))
        segment.quiz = [QuizItem(position=j, question=q["question"], answer=q["answer"])
                        for j, q in enumerate(seg.get("quiz") or [])]
        new.append(segment)
    db.session.add_all(new)
    db.session.flush()
    return new


# ---------------------------------------------------------------- the day

def get_segment(meeting: Meeting, segment_id: int) -> AgendaSegment:
    segment = db.session.get(AgendaSegment, segment_id)
    if segment is None or segment.meeting_id != meeting.id:
        raise NotFound(_("agenda segment not found"))
    return segment


def _check_running(actor: User, meeting: Meeting) -> None:
    if not runs_meeting(actor, meeting):
        raise Forbidden(_("only the owner, the speaker or the province's staff run the meeting"))
    if not timed_now(meeting):
        raise InvalidTransition(_("segments are timed while the meeting is in progress; it is %(status)s",
                                  status=status_text(meeting.status)))


def start_segment(actor: User, meeting: Meeting, segment: AgendaSegment) -> AgendaSegment:
    """Start a segment; the one running until now finishes at the same moment."""
    _check_running(actor, meeting)
    if segment.started_at is not None:
        raise Conflict(_("“%(title)s” has already been started", title=segment.title))
    segments = segments_of(meeting)
    waiting = next((s for s in segments if s.started_at is None), None)
    if waiting is not None and waiting.id != segment.id:
        # the record is the run of show: segments follow the plan's order
        raise Conflict(_("segments start in order: “%(next)s” comes first", next=waiting.title))
    now = utcnow()
    for other in segments:
        if other.running:
            other.finished_at = now
    segment.started_at = now
    db.session.flush()
    return segment


def finish_segment(actor: User, meeting: Meeting, segment: AgendaSegment) -> AgendaSegment:
    _check_running(actor, meeting)
    if not segment.running:
        raise Conflict(_("“%(title)s” is not running: it has not started or has already finished",
                         title=segment.title))
    segment.finished_at = utcnow()
    db.session.flush()
    return segment


@dataclass
class SegmentTiming:
    segment: AgendaSegment
    elapsed_seconds: int | None   # so far for the running one, in all for a finished one
    actual_seconds: int | None    # finished segments only
    overrun_seconds: int | None   # beyond the plan; None when not timed or not started

    @property
    def overrun(self) -> bool:
        return bool(self.overrun_seconds)


def _seconds(delta: timedelta) -> int:
    return max(int(delta.total_seconds()), 0)


def timing(segment: AgendaSegment, now: datetime | None = None) -> SegmentTiming:
    now = now or utcnow()
    if segment.started_at is None:
        return SegmentTiming(segment, None, None, None)
    elapsed = _seconds((segment.finished_at or now) - segment.started_at)
    actual = elapsed if segment.finished_at else None
    overrun = (max(elapsed - segment.planned_minutes * 60, 0)
               if segment.planned_minutes is not None else None)
    return SegmentTiming(segment, elapsed, actual, overrun)


def run_report(meeting: Meeting, now: datetime | None = None) -> dict:
    """Planned vs actual for the whole agenda: what the summary shows."""
    now = now or utcnow()
    segments = agenda(meeting)
    timings = [timing(s, now) for s in segments]
    timed = [t for t in timings if t.segment.planned_minutes is not None]
    started = [s.started_at for s in segments if s.started_at]
    finished = [s.finished_at for s in segments if s.finished_at]
    return {
        "segments": timings,
        "planned_total_minutes": sum(s.planned_minutes or 0 for s in segments),
        "actual_total_seconds": sum(t.actual_seconds or 0 for t in timed),
        "overrun_total_seconds": sum(t.overrun_seconds or 0 for t in timed),
        # progress of the day against the plan: finished segments, plus the running one so far
        # (the timed segments: the planned total leaves the untimed gifts and meal out)
        "elapsed_total_seconds": sum(t.elapsed_seconds or 0 for t in timed),
        "finished_seconds": sum(t.elapsed_seconds or 0 for t in timed if t.segment.finished_at),
        "running": next((s for s in segments if s.running), None),
        "first_started_at": min(started) if started else None,
        "last_finished_at": max(finished) if finished else None,
        "warnings": agenda_warnings(segments),
    }


# ---------------------------------------------------------------- materials checklist

DEFAULT_CHECKLIST = {
    "gifts": _l("Gifts for the doctors"),
    "chief_gift": _l("A better gift for the department chief"),
    "leaflets": _l("Product leaflets"),
    "literature": _l("Literature"),
    "sign_in_sheets": _l("Sign-in sheets"),
    "laptop_1": _l("Laptop"),
    "laptop_2": _l("Second laptop (spare)"),
    "projector": _l("Projector"),
    "screen": _l("Screen"),
    "laser_pointer": _l("Laser pointer, with batteries"),
    "adapter": _l("Video adapter"),
    "power_strip": _l("Power strip"),
}
ARRIVE_EARLY = timedelta(hours=1)     # 提前一小时到场
ROOM_READY = timedelta(minutes=10)    # 会前十分钟布置好会场


def label_of(item: ChecklistItem) -> str:
    if item.label:
        return item.label
    return str(DEFAULT_CHECKLIST.get(item.key, item.key or ""))


def _add_default_checklist(meeting: Meeting) -> list[ChecklistItem]:
    items = [ChecklistItem(meeting_id=meeting.id, position=i, key=key, ticked=False)
             for i, key in enumerate(DEFAULT_CHECKLIST)]
    db.session.add_all(items)
    db.session.flush()
    return items


def _items_of(meeting: Meeting) -> list[ChecklistItem]:
    return list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.meeting_id == meeting.id)
                                   .order_by(ChecklistItem.position, ChecklistItem.id)))


def checklist(meeting: Meeting) -> list[ChecklistItem]:
    """The meeting's checklist (the default one from its creation, or from
    the data migration for a meeting older than checklists)."""
    return _items_of(meeting)


def unticked(meeting: Meeting) -> list[ChecklistItem]:
    return [item for item in checklist(meeting) if not item.ticked]


def update_checklist(actor: User, meeting: Meeting, *, items: list[dict]) -> list[ChecklistItem]:
    """Replace the list: items with an `id` are kept (label and tick updated),
    items without one are added, items left out are removed."""
    if meeting.owner_id != actor.id:
        raise Forbidden(_("only the meeting's owner ticks its checklist"))
    if meeting.status not in CHECKLIST_OPEN:
        raise InvalidTransition(_("the checklist of a %(status)s meeting is closed",
                                  status=status_text(meeting.status)))
    current = {item.id: item for item in checklist(meeting)}
    seen = set()
    now = utcnow()
    for i, data in enumerate(items):
        item_id = data.get("id")
        if item_id is None:
            if not (data.get("label") or "").strip():
                raise InvalidInput(_("name the new item"), field=f"items.{i}.label")
            item = ChecklistItem(meeting_id=meeting.id, label=data["label"].strip())
            db.session.add(item)
        else:
            item = current.get(item_id)
            if item is None or item_id in seen:
                raise InvalidInput(_("no such item on this checklist"),
                                   field=f"items.{i}.id")
            seen.add(item_id)
            if (data.get("label") or "").strip() and data["label"].strip() != label_of(item):
                item.label = data["label"].strip()
        ticked = bool(data.get("ticked", item.ticked or False))
        if ticked and not item.ticked:
            item.ticked_at = now
        elif not ticked:
            item.ticked_at = None
        item.ticked = ticked
        item.position = i
    for item_id, item in current.items():
        if item_id not in seen:
            db.session.delete(item)
    db.session.flush()
    return _items_of(meeting)


def snapshot_checklist(meeting: Meeting) -> None:
    """The checklist as it stands when the meeting starts (SPEC §9 hardware):
    it stays editable during the meeting, so the start records it."""
    items, ticked = db.session.execute(
        select(func.count(ChecklistItem.id),
               func.coalesce(func.sum(case((ChecklistItem.ticked.is_(True), 1), else_=0)), 0))
        .where(ChecklistItem.meeting_id == meeting.id)).one()
    meeting.checklist_items_at_start, meeting.checklist_ticked_at_start = int(items), int(ticked)


def arrival_times(meeting: Meeting) -> dict[str, datetime]:
    return {"arrive_by": meeting.starts_at - ARRIVE_EARLY,
            "room_ready_by": meeting.starts_at - ROOM_READY}

