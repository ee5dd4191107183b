"""What happened, for whoever cares: the side effects of the lifecycle go
through these signals (blinker, as Flask's own), so a lower layer announces
and a higher one reacts without the lower importing it. Receivers are
connected by each domain's `connect()`, called from the app factory.

Rules that may refuse something are not signals: they are called directly.

- meeting_created(meeting, actor=)
- meeting_transitioned(meeting, action=, actor=, from_status=, to_status=)
- checkin_recorded(meeting, checkin=)
- checkin_voided(meeting, checkin=)
- question_asked(question)
- question_answered(question)
- flag_raised(meeting, flag=), flag_answered(meeting, flag=), flag_resolved(meeting, flag=)
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

meeting_created = _signals.signal("meeting-created")
meeting_transitioned = _signals.signal("meeting-transitioned")
checkin_recorded = _signals.signal("checkin-recorded")
checkin_voided = _signals.signal("checkin-voided")
question_asked = _signals.signal("question-asked")
question_answered = _signals.signal("question-answered")
flag_raised = _signals.signal("flag-raised")
flag_answered = _signals.signal("flag-answered")
flag_resolved = _signals.signal("flag-resolved")
