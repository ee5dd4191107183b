"""Meeting states as words inside messages ("a draft meeting cannot be …"):
the words come from the one registry, meetings/labels.py."""
from ..labels import label
from .models import Status


def status_text(status: Status) -> str:
    return label(status).lower()
