from flask_babel import gettext
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from meetings.agenda import services
from meetings.agenda.models import SegmentKind
from meetings.errors import AgendaRuleBroken, Conflict, Forbidden, InvalidInput, InvalidTransition
from meetings.extensions import db


def plan(*rows):
    return [{"kind": k, "title": k, "planned_minutes": m} for k, m in rows]


DEFAULT = [("video", 5), ("talk", 15), ("quiz", 5), ("chief_review", 5), ("closing", None)]


def test_a_new_meeting_gets_the_default_agenda(make_meeting):
    meeting = make_meeting()
    segments = services.segments_of(meeting)
    assert [(s.kind.value, s.planned_minutes) for s in segments] == DEFAULT
    assert services.run_report(meeting)["planned_total_minutes"] == 30


def test_a_new_meeting_gets_the_defaults_and_reading_them_writes_nothing(make_meeting):
    """Older meetings got theirs from a data migration (tests/agenda/test_migration.py)."""
    meeting = make_meeting()
    db.session.commit()
    assert len(services.agenda(meeting)) == 5
    assert len(services.checklist(meeting)) == len(services.DEFAULT_CHECKLIST)
    assert not (db.session.new or db.session.dirty or db.session.deleted)


def test_an_emptied_checklist_stays_empty(make_meeting, org):
    meeting = make_meeting()
    services.update_checklist(org.rep, meeting, items=[])
    assert services.checklist(meeting) == []


def test_talk_over_25_minutes_is_refused(make_meeting, org):
    meeting = make_meeting()
    services.replace_agenda(org.rep, meeting, segments=plan(("video", 5), ("talk", 25)))
    with pytest.raises(AgendaRuleBroken) as err:
        services.replace_agenda(org.rep, meeting, segments=plan(("video", 5), ("talk", 26)))
    assert err.value.field == "segments.1.planned_minutes" and "25" in err.value.message


@pytest.mark.parametrize("minutes, ok", [(4, False), (5, True), (10, True), (11, False)])
def test_video_must_run_5_to_10_minutes(make_meeting, org, minutes, ok):
    meeting = make_meeting()
    segments = plan(("video", minutes), ("talk", 15))
    if ok:
        services.replace_agenda(org.rep, meeting, segments=segments)
    else:
        with pytest.raises(AgendaRuleBroken) as err:
            services.replace_agenda(org.rep, meeting, segments=segments)
        assert err.value.field == "segments.0.planned_minutes"


def test_total_over_35_warns_and_over_45_is_refused():
    assert services.check_plan(plan(("video", 10), ("talk", 25))) == []
    warned = services.check_plan(plan(("video", 10), ("talk", 25), ("qa", 1)))
    assert warned and warned[0].code == "planned_total_minutes" and "36" in warned[0]
    assert services.check_plan(plan(("video", 10), ("talk", 25), ("qa", 5), ("chief_review", 5)))
    with pytest.raises(AgendaRuleBroken) as err:
        services.check_plan(plan(("video", 10), ("talk", 25), ("qa", 5), ("chief_review", 6)))
    assert err.value.field == "planned_total_minutes" and "46" in err.value.message


def test_closing_is_not_timed_and_the_rest_are():
    with pytest.raises(AgendaRuleBroken) as err:
        services.check_plan(plan(("closing", 10)))
    assert err.value.field == "segments.0.planned_minutes"
    with pytest.raises(AgendaRuleBroken) as err:
        services.check_plan(plan(("video", 5), ("qa", None)))
    assert err.value.field == "segments.1.planned_minutes"


def test_only_a_quiz_has_quiz_questions_and_a_quiz_without_them_warns():
    with pytest.raises(AgendaRuleBroken) as err:
        services.check_plan([{"kind": "talk", "title": "t", "planned_minutes": 15,
                              "quiz": [{"question": "q", "answer": "a"}]}])
    assert err.value.field == "segments.0.quiz"
    assert any("quiz" in w for w in services.check_plan(plan(("quiz", 5))))
    assert services.check_plan([{"kind": "quiz", "title": "q", "planned_minutes": 5,
                                 "quiz": [{"question": "q", "answer": "a"}]}]) == []


def test_replacing_keeps_quiz_items_in_order(make_meeting, org):
    meeting = make_meeting()
    segments = services.replace_agenda(org.rep, meeting, segments=[
        {"kind": "quiz", "title": "有奖问答", "planned_minutes": 5,
         "quiz": [{"question": "一日几次?", "answer": "两次"}, {"question": "饭前?", "answer": "饭后"}]}])
    db.session.commit()
    assert [(q.question, q.answer) for q in services.segments_of(meeting)[0].quiz] == \
        [("一日几次?", "两次"), ("饭前?", "饭后")]
    assert len(services.segments_of(meeting)) == 1 and segments[0].position == 0


def test_only_the_owner_plans_and_only_before_the_meeting_starts(make_meeting, org):
    meeting = make_meeting()
    with pytest.raises(Forbidden):
        services.replace_agenda(org.pm, meeting, segments=plan(("talk", 15)))
    running = make_meeting("in_progress")
    with pytest.raises(InvalidTransition):
        services.replace_agenda(org.rep, running, segments=plan(("talk", 15)))
    approved = make_meeting("approved")
    services.replace_agenda(org.rep, approved, segments=plan(("talk", 15)))


def test_starting_a_segment_finishes_the_running_one(make_meeting, org):
    meeting = make_meeting("in_progress")
    video, talk, *_ = services.agenda(meeting)
    t0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    with time_machine.travel(t0, tick=False):
        services.start_segment(org.staff, meeting, video)
    with time_machine.travel(t0 + timedelta(minutes=7), tick=False):
        services.start_segment(org.pm, meeting, talk)  # the speaker
    assert video.finished_at == talk.started_at == t0 + timedelta(minutes=7)
    assert talk.running and not video.running
    with time_machine.travel(t0 + timedelta(minutes=30), tick=False):
        services.finish_segment(org.rep, meeting, talk)
        report = services.run_report(meeting)
    timings = {t.segment.kind: t for t in report["segments"]}
    assert timings[SegmentKind.video].actual_seconds == 7 * 60
    assert timings[SegmentKind.video].overrun_seconds == 2 * 60
    assert timings[SegmentKind.talk].actual_seconds == 23 * 60
    assert timings[SegmentKind.talk].overrun_seconds == 8 * 60 and timings[SegmentKind.talk].overrun
    assert timings[SegmentKind.quiz].actual_seconds is None
    assert report["actual_total_seconds"] == 30 * 60
    assert report["overrun_total_seconds"] == 10 * 60


def test_a_running_segment_shows_its_elapsed_time(make_meeting, org):
    meeting = make_meeting("in_progress")
    video = services.agenda(meeting)[0]
    t0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    with time_machine.travel(t0, tick=False):
        services.start_segment(org.rep, meeting, video)
    with time_machine.travel(t0 + timedelta(minutes=4), tick=False):
        t = services.timing(video)
    assert (t.elapsed_seconds, t.actual_seconds, t.overrun_seconds) == (240, None, 0)


def test_segments_are_timed_only_while_the_meeting_is_in_progress(make_meeting, org):
    meeting = make_meeting("approved")
    with pytest.raises(InvalidTransition):
        services.start_segment(org.rep, meeting, services.agenda(meeting)[0])


def test_only_those_who_run_the_meeting_time_it(make_meeting, org, make_user):
    meeting = make_meeting("in_progress")
    for outsider in (org.rm, org.marketing, make_user("rep", province=org.province)):
        with pytest.raises(Forbidden):
            services.start_segment(outsider, meeting, services.agenda(meeting)[0])


def test_a_segment_starts_once_and_finishes_only_while_running(make_meeting, org):
    meeting = make_meeting("in_progress")
    video, talk, *_ = services.agenda(meeting)
    with pytest.raises(Conflict):
        services.finish_segment(org.rep, meeting, video)  # not started
    services.start_segment(org.rep, meeting, video)
    with pytest.raises(Conflict):
        services.start_segment(org.rep, meeting, video)  # again
    services.finish_segment(org.rep, meeting, video)
    with pytest.raises(Conflict):
        services.finish_segment(org.rep, meeting, video)  # already finished


def test_segments_start_in_the_order_of_the_plan(make_meeting, org):
    meeting = make_meeting("in_progress")
    video, talk, quiz, *_ = services.agenda(meeting)
    with pytest.raises(Conflict):
        services.start_segment(org.staff, meeting, talk)  # the video comes first
    services.start_segment(org.staff, meeting, video)
    with pytest.raises(Conflict):
        services.start_segment(org.staff, meeting, quiz)
    services.start_segment(org.staff, meeting, talk)
    assert talk.running and video.finished_at is not None


def test_progress_counts_finished_segments_and_the_running_one(make_meeting, org):
    meeting = make_meeting("in_progress")
    video, talk, *_ = services.agenda(meeting)
    t0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    with time_machine.travel(t0, tick=False):
        services.start_segment(org.staff, meeting, video)
    with time_machine.travel(t0 + timedelta(minutes=6), tick=False):
        services.start_segment(org.staff, meeting, talk)
    with time_machine.travel(t0 + timedelta(minutes=10), tick=False):
        report = services.run_report(meeting)
    assert report["finished_seconds"] == 6 * 60
    assert report["elapsed_total_seconds"] == 10 * 60
    assert report["planned_total_minutes"] == 30


# ---------------------------------------------------------------- checklist

def test_a_new_meeting_gets_the_default_checklist(make_meeting):
    meeting = make_meeting()
    keys = [item.key for item in services.checklist(meeting)]
    assert keys == list(services.DEFAULT_CHECKLIST)
    assert {"chief_gift", "laptop_1", "laptop_2", "laser_pointer", "power_strip"} <= set(keys)
    assert services.label_of(services.checklist(meeting)[9]) == gettext("Laser pointer, with batteries")


def test_owner_ticks_adds_and_removes_items(make_meeting, org):
    meeting = make_meeting("approved")
    items = services.checklist(meeting)
    wanted = [{"id": item.id, "ticked": item.key != "projector"} for item in items
              if item.key != "screen"]
    wanted.append({"label": "易拉宝", "ticked": False})
    result = services.update_checklist(org.rep, meeting, items=wanted)
    assert "screen" not in [i.key for i in result]
    assert [services.label_of(i) for i in services.unticked(meeting)] == [gettext("Projector"), "易拉宝"]
    assert all(i.ticked_at is not None for i in result if i.ticked)


def test_checklist_ids_must_belong_to_the_meeting(make_meeting, org):
    meeting, other = make_meeting(), make_meeting()
    foreign = services.checklist(other)[0].id
    with pytest.raises(InvalidInput) as err:
        services.update_checklist(org.rep, meeting, items=[{"id": foreign, "ticked": True}])
    assert err.value.field == "items.0.id"
    with pytest.raises(InvalidInput):
        services.update_checklist(org.rep, meeting, items=[{"label": "  ", "ticked": True}])


def test_only_the_owner_ticks_and_not_after_the_meeting(make_meeting, org):
    with pytest.raises(Forbidden):
        services.update_checklist(org.staff, make_meeting(), items=[])
    with pytest.raises(InvalidTransition):
        services.update_checklist(org.rep, make_meeting("held"), items=[])


def test_what_the_pages_offer_is_what_the_services_allow(make_meeting, org):
    """may_plan / may_tick / may_time: the pages ask these (no status set in a
    view or template), and they answer as the writes refuse."""
    draft, running = make_meeting(), make_meeting("in_progress")
    assert services.may_plan(org.rep, draft) and not services.may_plan(org.staff, draft)
    assert not services.may_plan(org.rep, running)  # the plan closes when the day starts
    assert services.may_tick(org.rep, running) and not services.may_tick(org.staff, running)
    assert services.may_time(org.staff, running) and not services.may_time(org.staff, draft)
    with pytest.raises(InvalidTransition):
        services.replace_agenda(org.rep, running, segments=plan(("video", 5), ("talk", 15)))
    with pytest.raises(InvalidTransition):
        services.start_segment(org.staff, draft, services.agenda(draft)[0])


def test_finishing_the_meeting_finishes_the_running_segment(make_meeting, org):
    from meetings.proposals import services as proposals

    meeting = make_meeting("in_progress")
    video, talk, *_ = services.agenda(meeting)
    services.start_segment(org.staff, meeting, video)
    services.start_segment(org.staff, meeting, talk)
    assert talk.running
    proposals.finish(org.rep, meeting)
    db.session.flush()
    assert not talk.running and talk.finished_at is not None
    assert talk.finished_at >= talk.started_at
    assert not any(s.running for s in services.agenda(meeting))
