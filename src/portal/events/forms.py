"""The 'Forms' section of the profile page: each form's link and its status, as the
form's own feature reports it."""

from __future__ import annotations

from dataclasses import dataclass

from portal.events.access import EventAccess


@dataclass(frozen=True)
class FormLink:
    title: str  # the guide's name for the link
    href: str
    status: str  # shown as a tag
    tag_colour: str  # GOV.UK tag modifier: blue, grey, green, yellow, red
    hint: str = ""


async def form_links(access: EventAccess) -> list[FormLink]:
    from portal.accuracy.service import form_link as accuracy_link
    from portal.survey.service import form_link as survey_link

    return [await accuracy_link(access), await survey_link(access)]
