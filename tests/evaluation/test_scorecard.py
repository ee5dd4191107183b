"""Every figure of the scorecard (SPEC §9) exactly, on small fixtures."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import event, select

from meetings.evaluation import services
from meetings.extensions import db
from meetings.types import local_date, month_index, month_text
from meetings.followups.models import FollowUp
from tests.evaluation.conftest import SHANGHAI, next_local


def part(card, name):
    return next(p for p in card["parts"] if p["name"] == name)


def card_of(meeting, **kw):
    return services.scorecards([meeting.id], **kw)[meeting.id]


def months_around(meeting):
    mid = month_index(local_date(meeting.starts_at))  # the meeting's local month
    return {k: month_text(mid + k) for k in range(-4, 5)}


@pytest.fixture
def cast(org, make_doctor):
    """a, b: key (A, B); c: grade C; d: grade D, declines; outsider: not invited."""
    class Cast:
        pass
    c = Cast()
    c.a = make_doctor(org.hospital, "A", name="甲")
    c.b = make_doctor(org.hospital, "B", name="乙")
    c.c = make_doctor(org.hospital, "C", name="丙")
    c.d = make_doctor(org.hospital, "D", name="丁")
    c.outsider = make_doctor(org.hospital, "A", name="外")
    # the key primaries' backups (SPEC §4); they stay away
    c.backups = {c.a: make_doctor(org.hospital, "A", name="甲替"),
                 c.b: make_doctor(org.hospital, "A", name="乙替")}
    return c


# ---------------------------------------------------------------- hardware

def test_hardware_is_the_share_ticked_when_the_meeting_started(held, org):
    from meetings.agenda import services as agenda

    meeting = held(tick=3)
    hardware = part(card_of(meeting), "hardware")
    assert hardware["score"] == pytest.approx(3 / 12, abs=1e-4)
    assert hardware["points"] == pytest.approx(20 * 3 / 12, abs=1e-4)
    assert "3" in hardware["detail"] and "12" in hardware["detail"]
    # the meeting was held; ticking now changes nothing (and the list is closed anyway)
    assert meeting.checklist_items_at_start == 12 and meeting.checklist_ticked_at_start == 3
    assert len(agenda.checklist(meeting)) == 12


def test_hardware_is_zero_with_nothing_ticked_and_null_for_an_empty_checklist(held):
    assert part(card_of(held(tick=0)), "hardware")["score"] == 0
    empty = card_of(held(tick=None))
    assert part(empty, "hardware")["score"] is None and part(empty, "hardware")["points"] is None
    assert empty["max"] == 0  # nobody expected either: nothing else is computable here


def test_ticking_during_the_meeting_does_not_change_the_recorded_start(held, org):
    from meetings.agenda import services as agenda
    from meetings.proposals import services as proposals

    meeting = held(tick=2, finish=False, starts_at=next_local(days=1))
    items = agenda.checklist(meeting)
    with time_machine.travel(meeting.starts_at):
        agenda.update_checklist(org.rep, meeting, items=[{"id": i.id, "ticked": True} for i in items])
        proposals.finish(org.rep, meeting)
    db.session.commit()
    assert part(card_of(meeting), "hardware")["score"] == pytest.approx(2 / 12, abs=1e-4)


# ---------------------------------------------------------------- execution

def test_execution_means_capped_attendance_accuracy_and_key_attendance(held, cast):
    meeting = held(backups=cast.backups, primaries=[cast.a, cast.b, cast.c, cast.d], declined=[cast.d],
                   present=[cast.a, cast.c, cast.outsider], walk_ins=["护士小王"])
    card = card_of(meeting)
    # expected 3 (a, b, c), present 4, attended invited 2 (a, c), key 1 of 2 (a of a, b)
    assert card["execution"] == {"attendance_rate": 1.0, "accuracy_rate": 0.5,
                                 "key_attendance_rate": 0.5, "agenda_kept": None}
    execution = part(card, "execution")
    assert execution["score"] == pytest.approx((1 + 0.5 + 0.5) / 3, abs=1e-4)
    assert execution["points"] == pytest.approx(40 * 2 / 3, abs=1e-3)


def test_execution_counts_match_the_attendance_figures(held, cast):
    from meetings.checkin.services import attendance

    meeting = held(backups=cast.backups, primaries=[cast.a, cast.b, cast.c, cast.d], declined=[cast.d],
                   present=[cast.a, cast.c, cast.outsider], walk_ins=["护士小王"])
    figures = attendance(meeting)
    assert (figures["expected"], figures["present"], figures["attended_invited"],
            figures["key_expected"], figures["key_present"]) == (3, 4, 2, 2, 1)
    assert figures["attendance_rate"] == pytest.approx(4 / 3, abs=1e-4)


def _time_agenda(meeting, spans):
    from meetings.agenda import services as agenda

    begin = meeting.starts_at
    for segment, span in zip(agenda.agenda(meeting), spans):
        if span is not None:
            segment.started_at = begin + timedelta(minutes=span[0])
            segment.finished_at = begin + timedelta(minutes=span[1])
    db.session.commit()


def test_agenda_kept_is_one_within_the_plan_else_planned_over_actual(held, cast):
    meeting = held(backups=cast.backups, primaries=[cast.a], present=[cast.a])
    _time_agenda(meeting, [(0, 6), (6, 26)])  # 26 min of a 30-minute plan
    assert card_of(meeting)["execution"]["agenda_kept"] == 1.0
    _time_agenda(meeting, [(0, 10), (10, 30), (30, 36), (36, 45)])  # 45 min
    card = card_of(meeting)
    assert card["execution"]["agenda_kept"] == pytest.approx(30 / 45, abs=1e-4)
    assert part(card, "execution")["score"] == pytest.approx((1 + 1 + 1 + 30 / 45) / 4, abs=1e-4)


def test_execution_is_null_when_nobody_was_expected_present_or_timed(held):
    card = card_of(held())
    assert part(card, "execution")["score"] is None and part(card, "execution")["points"] is None
    assert card["max"] == 20  # hardware only (nothing ticked: 0 of 12)
    assert card["percent"] == 0


# ---------------------------------------------------------------- follow-up

def _due(meeting):
    return db.session.scalars(select(FollowUp.due_on).where(FollowUp.meeting_id == meeting.id)).first()


def _complete_at(org, task, when):
    from meetings.followups.services import complete

    with time_machine.travel(when):
        complete(org.rep, task, outcome="committed")
    db.session.commit()


def test_followup_counts_tasks_done_on_or_before_their_due_date(held, cast, org):
    meeting = held(backups=cast.backups, primaries=[cast.a, cast.b], present=[cast.a], walk_ins=["护士小王"])
    tasks = db.session.scalars(select(FollowUp).where(FollowUp.meeting_id == meeting.id)
                               .order_by(FollowUp.id)).all()
    assert len(tasks) == 3  # visits: a, the walk-in; a gift for b
    due = _due(meeting)
    last_minute = datetime(due.year, due.month, due.day, 23, 59, tzinfo=SHANGHAI)
    _complete_at(org, tasks[0], last_minute)                           # on time (local day)
    _complete_at(org, tasks[1], last_minute + timedelta(minutes=2))    # the day after: late
    open_card = card_of(meeting, today=due)
    assert part(open_card, "followup")["score"] is None  # one still open, not yet past due
    assert "1" in part(open_card, "followup")["detail"]
    over = card_of(meeting, today=due + timedelta(days=1))
    assert part(over, "followup")["score"] == pytest.approx(1 / 3, abs=1e-4)
    _complete_at(org, tasks[2], last_minute - timedelta(days=3))
    done = card_of(meeting, today=due)  # all done: computable before the due date passes
    assert part(done, "followup")["score"] == pytest.approx(2 / 3, abs=1e-4)
    assert "2" in part(done, "followup")["detail"] and "3" in part(done, "followup")["detail"]


def test_followup_is_null_without_tasks(held):
    assert part(card_of(held()), "followup")["score"] is None


# ---------------------------------------------------------------- sales effect

def test_effect_pools_the_attending_invited_doctors_over_months_with_data(held, cast, prescribe):
    meeting = held(backups=cast.backups, primaries=[cast.a, cast.b, cast.c], present=[cast.a, cast.c, cast.outsider],
                   product="P")
    m = months_around(meeting)
    prescribe({
        (cast.a, m[-3], "P"): 10, (cast.c, m[-3], "P"): 0,   # before: 10 and 20 → 15 a month
        (cast.a, m[-2], "P"): 20,                              # (m-1 has no data: left out)
        (cast.a, m[0], "P"): 999,                              # the meeting's month: left out
        (cast.a, m[1], "P"): 10, (cast.c, m[1], "P"): 6,       # after: 16 and 17 → 16.5
        (cast.c, m[2], "P"): 17,
        (cast.a, m[4], "P"): 999, (cast.a, m[-4], "P"): 999,   # outside the 3 months
        (cast.a, m[1], "Q"): 500,                              # another product
        (cast.b, m[1], "P"): 500,                              # invited, did not come
        (cast.outsider, m[1], "P"): 500,                       # came, was not invited
    })
    card = card_of(meeting)
    assert card["effect"]["months_before"] == [m[-3], m[-2]]
    assert card["effect"]["months_after"] == [m[1], m[2]]
    assert card["effect"]["before"] == 15 and card["effect"]["after"] == 16.5
    assert card["effect"]["change"] == pytest.approx(0.1, abs=1e-4)
    effect = part(card, "effect")
    assert effect["score"] == pytest.approx(0.5, abs=1e-4)  # +10 %: halfway to +20 %
    assert effect["points"] == pytest.approx(10, abs=1e-3)
    rows = {r["doctor_id"]: r for r in services.effect_by_doctor(meeting, card)}
    assert set(rows) == {cast.a.id, cast.c.id}
    assert rows[cast.a.id]["before"] == 15 and rows[cast.a.id]["after"] == 5
    assert rows[cast.c.id]["before"] == 0 and rows[cast.c.id]["after"] == 11.5


def test_effect_without_a_product_counts_every_product(held, cast, prescribe):
    meeting = held(backups=cast.backups, primaries=[cast.a], present=[cast.a])
    m = months_around(meeting)
    prescribe({(cast.a, m[-1], "P"): 10, (cast.a, m[1], "P"): 10, (cast.a, m[1], "Q"): 5})
    card = card_of(meeting)
    assert card["effect"]["before"] == 10 and card["effect"]["after"] == 15
    assert part(card, "effect")["score"] == 1.0  # +50 %: capped at 1


def test_effect_scores_zero_for_a_fall_and_null_without_either_side(held, cast, prescribe):
    meeting = held(backups=cast.backups, primaries=[cast.a], present=[cast.a])
    m = months_around(meeting)
    assert part(card_of(meeting), "effect")["score"] is None  # no data at all
    prescribe({(cast.a, m[-1], "P"): 10})
    assert part(card_of(meeting), "effect")["score"] is None  # nothing after yet
    prescribe({(cast.a, m[2], "P"): 8})
    assert part(card_of(meeting), "effect")["score"] == 0.0   # −20 %


def test_effect_is_null_when_nothing_was_prescribed_before(held, cast, prescribe):
    meeting = held(backups=cast.backups, primaries=[cast.a], present=[cast.a])
    m = months_around(meeting)
    prescribe({(cast.a, m[-2], "P"): 0, (cast.a, m[1], "P"): 10})
    card = card_of(meeting)
    assert part(card, "effect")["score"] is None and card["effect"]["before"] == 0


def test_the_meetings_month_is_its_local_start_date(held, cast, prescribe, org):
    # 07:00 on the 1st in Shanghai is still the last day of the month before in UTC
    now = datetime.now(SHANGHAI)
    first = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=7, minute=0, second=0,
                                                               microsecond=0)
    meeting = held(backups=cast.backups, primaries=[cast.a], present=[cast.a], starts_at=first)
    assert meeting.starts_at.astimezone(timezone.utc).month != first.month
    m = months_around(meeting)
    assert m[0] == f"{first.year:04d}-{first.month:02d}"


# ---------------------------------------------------------------- totals

def test_total_max_and_percent_leave_out_what_cannot_be_computed(held, cast, prescribe):
    meeting = held(backups=cast.backups, primaries=[cast.a, cast.b, cast.c, cast.d], declined=[cast.d],
                   present=[cast.a, cast.c, cast.outsider], walk_ins=["护士小王"], tick=3, product="P")
    m = months_around(meeting)
    prescribe({(cast.a, m[-1], "P"): 10, (cast.a, m[1], "P"): 11})
    card = card_of(meeting)  # follow-up: still open, not yet due → left out
    assert [p["score"] is None for p in card["parts"]] == [False, False, True, False]
    expected_total = 20 * 0.25 + 40 * (2 / 3) + 20 * 0.5
    assert card["total"] == pytest.approx(expected_total, abs=1e-3)
    assert card["max"] == 80
    assert card["percent"] == pytest.approx(expected_total / 80 * 100, abs=1e-3)
    assert card["meeting_id"] == meeting.id
    assert [p["weight"] for p in card["parts"]] == [20, 40, 20, 20]


def test_weights_come_from_configuration(app, held):
    app.config.update(SCORE_WEIGHT_HARDWARE=50, SCORE_WEIGHT_EXECUTION=10)
    card = card_of(held(tick=6))
    assert part(card, "hardware")["weight"] == 50 and part(card, "hardware")["points"] == 25
    assert card["max"] == 50 and card["percent"] == 50


def test_nothing_computed_gives_null_percent(held):
    card = card_of(held(tick=None))
    assert card["max"] == 0 and card["total"] == 0 and card["percent"] is None


def test_scorecards_of_many_meetings_take_a_fixed_number_of_queries(app, held, cast):
    meetings = [held(backups=cast.backups, primaries=[cast.a], present=[cast.a], tick=i) for i in range(3)]
    ids = [m.id for m in meetings]

    def queries(ids):
        statements = []

        def count(_conn, _cursor, statement, *_args):
            statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            cards = services.scorecards(ids)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return cards, [s for s in statements if not s.startswith("BEGIN")]
    cards, many = queries(ids)
    assert [part(cards[i], "hardware")["score"] for i in ids] == [0, 0.0833, 0.1667]
    assert len(many) == 2, many  # the scores; the months with data (the effect's detail)
    assert len(queries(ids[:1])[1]) == len(many)


def test_the_sql_percent_is_the_parts_weighted_as_spec_9_says(app, held, cast, prescribe):
    """Recompute each card's total, max and percent from its parts' scores and
    the configured weights: the SQL that reports aggregate follows §9."""
    app.config.update(SCORE_WEIGHT_EFFECT=30)
    meetings = [held(backups=cast.backups, primaries=[cast.a, cast.b, cast.c], present=[cast.a, cast.c],
                     tick=tick, product="P", walk_ins=walk_ins)
                for tick, walk_ins in ((0, ()), (5, ["护士"]), (12, ()), (None, ["王"]))]
    m = months_around(meetings[1])
    prescribe({(cast.a, m[-1], "P"): 10, (cast.a, m[1], "P"): 11, (cast.c, m[2], "P"): 3})
    cards = services.scorecards([x.id for x in meetings])
    weights = {"hardware": 20, "execution": 40, "followup": 20, "effect": 30}
    for card in cards.values():
        computed = [p for p in card["parts"] if p["score"] is not None]
        assert all(p["points"] == pytest.approx(weights[p["name"]] * p["score"], abs=1e-3) for p in computed)
        assert card["max"] == sum(weights[p["name"]] for p in computed)
        assert card["total"] == pytest.approx(sum(p["points"] for p in computed), abs=1e-3)
        assert card["percent"] == pytest.approx(card["total"] / card["max"] * 100, abs=1e-3)
    assert len({c["percent"] for c in cards.values()}) == 4, cards  # four different meetings
