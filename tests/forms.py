"""Page tests post exactly what the rendered form contains: read the form's
fields out of the HTML (hidden inputs included), let the test fill in what a
person would type or choose, and post the result."""
from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": (a.get("method") or "get").lower(),
                               "fields": [], "choices": {}})
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                form["choices"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                form["fields"].append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            form["fields"].append((name, ""))
        elif tag == "select" and name:
            self._select = name
            form["choices"][name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            form["choices"][self._select].append(value)
            if "selected" in a:
                form["fields"].append((self._select, value))

    def handle_data(self, data):
        if self._textarea and self.forms:
            name, text = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def rendered_form(html: str, index: int = -1, *, method: str = "post") -> dict:
    """The fields of one form of the page (by default the last POST form) as
    {"fields": {name: value or [values]}, "choices": {name: [values]}, "action"}."""
    parser = _Forms()
    parser.feed(html)
    forms = [f for f in parser.forms if f["method"] == method]
    assert forms, f"the page has no {method} form"
    form = forms[index]
    fields: dict = {}
    for name, value in form["fields"]:
        if name in fields:
            fields[name] = (fields[name] if isinstance(fields[name], list) else [fields[name]]) + [value]
        else:
            fields[name] = value
    return {"fields": fields, "choices": form["choices"], "action": form["action"]}


def fill(html: str, index: int = -1, **typed) -> dict:
    """The form's own fields with what a person types or picks; a choice that
    the form does not offer, or a field it does not have, fails the test."""
    form = rendered_form(html, index)
    data = dict(form["fields"])
    for name, value in typed.items():
        if name in form["choices"]:
            assert value in form["choices"][name], f"{name}={value!r} is not offered: {form['choices'][name]}"
        else:
            assert name in data, f"the form has no field {name!r}: {sorted(data)}"
        data[name] = value
    data.pop("csrf_token", None)
    return data
