"""What notifications say, kept as a message kind and its parameters and put
into words when someone reads them — in the reader's language at that moment,
not the language of the job that created them (SPEC §8).

Each kind has a subject and lines; a parameter that is a list becomes one line
per item (the day-before reminder's people and checklist items)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale, lazy_gettext as _l

from ..labels import label, label_text

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
    "flag_raised": _l("Compliance flagged a meeting: %(topic)s"),
    "flag_answered": _l("A flag was answered: %(topic)s"),
    "flag_resolved": _l("Compliance resolved a flag: %(topic)s"),
    "visit_lapsed": _l("Key doctor not visited: %(doctor)s (%(grade)s) of %(rep)s"),
}
COMMENT = _l("Comment: %(comment)s")
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
    "flag_raised": [_l("Meeting: %(topic)s at %(hospital)s"), _l("Reason: %(reason)s")],
    "flag_answered": [_l("Reason: %(reason)s"), _l("Answer: %(answer)s")],
    "flag_resolved": [_l("Reason: %(reason)s")],
    "visit_lapsed": [_l("Last visit: %(last)s · not visited for %(days)s days or more "
                        "(twice the frequency of the grade)")],
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


def _in(language: str | None, text) -> str:
    """One of the texts above (or a label, a checklist item) in `language`;
    None: the current one. In a given language each is translated once per
    process — a job puts thousands of notifications into words, and asking
    the translations for every one cost more than everything else it does."""
    if language is None:
        return str(text)
    key = (language, id(text))
    cached = _TRANSLATED.get(key)
    if cached is None or cached[0] is not text:  # the object itself is kept: its id is never reused
        with force_locale(language):
            cached = _TRANSLATED[key] = (text, str(text))
    return cached[1]


_TRANSLATED: dict[tuple[str, int], tuple[object, str]] = {}


def _text(template, params: dict, language: str | None = None) -> str:
    """The template, translated now, filled from params; codes among them become words."""
    values = _Params({k: (_label(v["code"], v["kind"], language) if isinstance(v, dict) and "code" in v else v)
                      for k, v in params.items()})
    return _in(language, template) % values


def _label(code: str, kind: str, language: str | None) -> str:
    text = label_text(code, kind)
    return _in(language, text) if text is not None else label(code, kind)


def words(kind: str, params: dict, language: str | None = None) -> Words:
    """The notification in `language` (None: the current one)."""
    params = dict(params or {})
    subject = _text(SUBJECTS[kind], params, language)
    if kind == "day_before":
        reconfirm, unticked = params.get("reconfirm") or [], params.get("unticked") or []
        lines = ([_in(language, RECONFIRM)] + [f"· {name}" for name in reconfirm] if reconfirm
                 else [_in(language, ALL_CONFIRMED)])
        if unticked:
            lines += [_in(language, UNTICKED)] + [f"· {_checklist_item(item, language)}" for item in unticked]
        return Words(subject, lines)
    lines = []
    for template in LINES.get(kind, []):
        if template is COMMENT and not params.get("comment"):  # `is`: == would translate both
            continue  # no comment given: no "Comment:" line
        lines.append(_text(template, params, language))
    return Words(subject, lines)


def _checklist_item(item, language: str | None = None) -> str:
    """A default checklist item by its key (translated), a custom one by its label."""
    if isinstance(item, dict) and item.get("key"):
        from ..agenda.services import DEFAULT_CHECKLIST
        text = DEFAULT_CHECKLIST.get(item["key"])
        if text is not None:
            return _in(language, text)
    return item.get("label", "") if isinstance(item, dict) else str(item)


def in_language(kind: str, params: dict, language: str = "zh") -> Words:
    """The words for an e-mail or the stored copy, in `language`."""
    return words(kind, params, language)
