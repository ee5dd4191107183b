"""What notifications say, kept as a message kind and its parameters and put
into words when someone reads them — in the reader's language at that moment,
not the language of the job that created them (SPEC §8).

Each kind has a subject and lines; a parameter that is a list becomes one line
per item (the day-before reminder's people and checklist items)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale, lazy_gettext as _l

from ..labels import label

SUBJECTS = {
    "proposal_waiting": _l("A proposal waits for your decision: %(topic)s"),
    "proposal_escalated": _l("Above the province's limit, a proposal waits for you: %(topic)s"),
    "proposal_approved": _l("Your proposal was approved: %(topic)s"),
    "proposal_returned": _l("Your proposal was returned for changes: %(topic)s"),
    "proposal_rejected": _l("Your proposal was rejected: %(topic)s"),
    "question_arrived": _l("A doctor's question from %(hospital)s"),
    "answer_ready": _l("Marketing answered a question: relay it to %(doctor)s"),
    "followup_overdue": _l("Overdue follow-up: %(kind)s of %(person)s (%(assignee)s)"),
    "day_before": _l("Tomorrow: %(topic)s at %(hospital)s"),
}
COMMENT = _l("Comment: %(comment)s")
WITH_COMMENT = (COMMENT,)
PROPOSAL = _l("%(hospital)s · %(starts)s · %(total)s 元 · proposed by %(owner)s")
LINES = {
    "proposal_waiting": [PROPOSAL],
    "proposal_escalated": [PROPOSAL],
    "proposal_approved": [_l("%(hospital)s · %(starts)s · %(total)s 元"), COMMENT],
    "proposal_returned": [COMMENT],
    "proposal_rejected": [COMMENT],
    "question_arrived": [_l("Question: %(text)s"), _l("%(topic)s · asked by %(doctor)s")],
    "answer_ready": [_l("Question: %(text)s"), _l("Answer: %(answer)s")],
    "followup_overdue": [_l("%(hospital)s · %(topic)s · due %(due)s")],
}
# the day-before reminder: a heading, then one line per person or item
RECONFIRM = _l("Re-confirm these key invitees:")
ALL_CONFIRMED = _l("Every key invitee has confirmed.")
UNTICKED = _l("Not ticked on the checklist yet:")


@dataclass
class Words:
    subject: str
    lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.lines)


class _Params(dict):
    """Parameters for a template; one it names but the notification lacks reads as empty."""
    def __missing__(self, key):
        return ""


def _text(template, params: dict) -> str:
    """The template, translated now, filled from params; codes among them become words."""
    values = _Params({k: (label(v["code"], v["kind"]) if isinstance(v, dict) and "code" in v else v)
                      for k, v in params.items()})
    return str(template) % values


def words(kind: str, params: dict) -> Words:
    """The notification in the current language."""
    params = dict(params or {})
    subject = _text(SUBJECTS[kind], params)
    if kind == "day_before":
        reconfirm, unticked = params.get("reconfirm") or [], params.get("unticked") or []
        lines = ([str(RECONFIRM)] + [f"· {name}" for name in reconfirm] if reconfirm
                 else [str(ALL_CONFIRMED)])
        if unticked:
            lines += [str(UNTICKED)] + [f"· {_checklist_item(item)}" for item in unticked]
        return Words(subject, lines)
    lines = []
    for template in LINES.get(kind, []):
        if template in WITH_COMMENT and not params.get("comment"):
            continue  # no comment given: no "Comment:" line
        lines.append(_text(template, params))
    return Words(subject, lines)


def _checklist_item(item) -> str:
    """A default checklist item by its key (translated), a custom one by its label."""
    if isinstance(item, dict) and item.get("key"):
        from ..agenda.services import DEFAULT_CHECKLIST
        text = DEFAULT_CHECKLIST.get(item["key"])
        if text is not None:
            return str(text)
    return item.get("label", "") if isinstance(item, dict) else str(item)


def in_language(kind: str, params: dict, language: str = "zh") -> Words:
    """The words for an e-mail or the stored copy, in `language`."""
    with force_locale(language):
        return words(kind, params)
