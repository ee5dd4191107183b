"""Panels: a page of a lower domain shows what a higher one knows, without
importing it (the doctor page shows the doctor's spend, the meeting page its
scorecard). The higher domain registers a function for a page; the page's
template renders `panels("meeting", meeting)`. Each function returns HTML
(a rendered template) or None when it has nothing to show for this object."""
from __future__ import annotations

from typing import Callable

from flask_login import current_user
from markupsafe import Markup

PANELS: dict[str, list[Callable]] = {}


def panel(page: str):
    def register(fn: Callable) -> Callable:
        if fn not in PANELS.setdefault(page, []):
            PANELS[page].append(fn)
        return fn
    return register


def render_panels(page: str, obj) -> Markup:
    user = current_user._get_current_object()
    # render_template returns our own templates' output: already escaped HTML
    return Markup("").join(Markup(html) for fn in PANELS.get(page, []) if (html := fn(obj, user)))
