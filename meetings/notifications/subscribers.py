"""Who is told what, as the meeting moves (SPEC §8): approvers when a proposal
waits for them, the owner when it is approved, returned or rejected, marketing
when a doctor's question arrives, the owner when an answer is ready to relay.
Each message is told once per person (its key), in words chosen when read."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.models import Role, User
from ..extensions import db
from ..proposals.models import Status
from ..signals import (flag_answered, flag_raised, flag_resolved, meeting_transitioned,
                       question_answered, question_asked)
from ..types import to_local
from .services import tell

# the owner is told of these decisions
DECIDED = {Status.approved: "proposal_approved", Status.draft: "proposal_returned",
           Status.rejected: "proposal_rejected"}


def _people(*conditions) -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True), *conditions)
                                   .order_by(User.id)))


def _proposal(meeting) -> dict:
    return {"topic": meeting.topic, "hospital": meeting.hospital.name,
            "starts": to_local(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            "total": str(meeting.budget_total), "owner": meeting.owner.display_name}


def approvers_of(meeting, to_status: Status) -> list[User]:
    """Who decides now: the province's provincial manager(s) on submit — the
    region's regional manager(s) when the owner is a provincial manager, or
    once the proposal went above the province's limit. Never the owner."""
    regional = _people(User.role == Role.regional_manager, User.region_id == meeting.province.region_id)
    if to_status == Status.pending_regional or meeting.owner.role == Role.provincial_manager:
        people = regional
    else:
        people = _people(User.role == Role.provincial_manager, User.province_id == meeting.province_id)
    return [p for p in people if p.id != meeting.owner_id]


def on_transition(meeting, *, action, to_status, **_) -> None:
    link = f"/meetings/{meeting.id}"
    comment = meeting.history[-1].comment if meeting.history else None
    if to_status in (Status.submitted, Status.pending_regional):
        kind = "proposal_waiting" if to_status == Status.submitted else "proposal_escalated"
        for person in approvers_of(meeting, to_status):
            tell(person, f"{kind}:meeting:{meeting.id}:{len(meeting.history)}", kind,
                 _proposal(meeting), link)
    elif to_status in DECIDED and action in ("approve", "return", "reject"):
        kind = DECIDED[to_status]
        tell(meeting.owner, f"{kind}:meeting:{meeting.id}:{len(meeting.history)}", kind,
             {**_proposal(meeting), "comment": comment or ""}, link)


def on_question_asked(question, **_) -> None:
    meeting = question.meeting
    for person in _people(User.role == Role.marketing):
        tell(person, f"question:{question.id}", "question_arrived",
             {"text": question.text, "hospital": meeting.hospital.name, "topic": meeting.topic,
              "doctor": question.doctor.name if question.doctor else "—"},
             f"/questions/{question.id}")


def on_question_answered(question, **_) -> None:
    meeting = question.meeting
    tell(meeting.owner, f"answer:{question.id}", "answer_ready",
         {"text": question.text, "answer": question.answer or "",
          "doctor": question.doctor.name if question.doctor else meeting.hospital.name},
         f"/meetings/{meeting.id}/summary")


def flag_audience(meeting) -> list[User]:
    """Who answers a compliance flag (SPEC §12): the owner and the
    provincial manager(s) of the meeting's province."""
    managers = _people(User.role == Role.provincial_manager, User.province_id == meeting.province_id)
    return [meeting.owner] + [p for p in managers if p.id != meeting.owner_id]


def _flag(meeting, flag) -> dict:
    return {"topic": meeting.topic, "hospital": meeting.hospital.name, "reason": flag.reason,
            "answer": flag.answer or ""}


def on_flag_raised(meeting, *, flag, **_) -> None:
    for person in flag_audience(meeting):
        tell(person, f"flag:{flag.id}", "flag_raised", _flag(meeting, flag), f"/meetings/{meeting.id}")


def on_flag_answered(meeting, *, flag, **_) -> None:
    # each answer is news to the officer who raised the flag
    tell(flag.raised_by, f"flag_answer:{flag.id}:{flag.answered_at.isoformat()}", "flag_answered",
         _flag(meeting, flag), f"/meetings/{meeting.id}")


def on_flag_resolved(meeting, *, flag, **_) -> None:
    for person in flag_audience(meeting):
        tell(person, f"flag_resolved:{flag.id}", "flag_resolved", _flag(meeting, flag),
             f"/meetings/{meeting.id}")


def connect() -> None:
    """Subscribe to the meeting's and the questions' signals (meetings/subscriptions.py)."""
    meeting_transitioned.connect(on_transition)
    question_asked.connect(on_question_asked)
    question_answered.connect(on_question_answered)
    flag_raised.connect(on_flag_raised)
    flag_answered.connect(on_flag_answered)
    flag_resolved.connect(on_flag_resolved)
