"""The types the profile page composes from the features: a task-list item (a form's
link and status, shown with GOV.UK's task list)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormLink:
    title: str  # the guide's name for the link
    href: str
    status: str  # shown as a tag
    tag_colour: str  # GOV.UK tag modifier: blue, grey, green, yellow, red
    hint: str = ""
