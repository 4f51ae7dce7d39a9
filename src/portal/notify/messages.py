"""One source per message: templates/notify/<message>.md, its first line `Subject: ...`,
a blank line, then the body in Notify's markup (see `body`). Jinja fills it in with
StrictUndefined: a value the template names and the caller did not give is an error,
not a blank in someone's inbox.

Every value the template prints goes in as a placeholder and comes back escaped (HTML)
or as it is (text, subject) after the markup is parsed: a name with `*` or `[...](...)`
in it stays text. Our own links (`url(...)`, or a value that is an address of this
portal) are markup: they become links."""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from portal import clock, links
from portal.notify import body

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body style="margin:0;padding:0;background:#ffffff;font-family:Arial,Helvetica,sans-serif">
<div style="max-width:580px;margin:0 auto;padding:20px 15px">
{body}</div>
</body>
</html>
"""
OWN_LINK = re.compile(r"https?://[^\s<>\[\]()]+")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class BadTemplate(ValueError):
    """A message source without its `Subject:` line."""


_holes: ContextVar[list[str]] = ContextVar("notify_holes")


def _finalize(value: object) -> object:
    """Each printed value: our own links stay markup, anything else becomes a placeholder."""
    if isinstance(value, Markup) or _own_link(value):
        return str(value)
    holes = _holes.get()
    holes.append("" if value is None else str(value))
    return body.hole(len(holes) - 1)


def _own_link(value: object) -> bool:
    if not isinstance(value, str) or not OWN_LINK.fullmatch(value):
        return False
    base = links.base_url()
    return value == base or value.startswith(base + "/")


def _url(route_name: str, /, **params: object) -> Markup:
    """In a template: `url("events.profile", event_id=event_id, anchor="concerns")`."""
    return Markup(links.url(route_name, **params))  # type: ignore[arg-type]


def _deadline(moment: datetime) -> str:
    return clock.format_deadline(moment)


@cache
def environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir / "notify")),
        undefined=StrictUndefined,
        autoescape=False,  # escaped by `_finalize` and `body`, after the markup is parsed
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals["url"] = _url
    env.filters["date"] = clock.format_date
    env.filters["datetime"] = clock.format_datetime
    env.filters["deadline"] = _deadline  # "5pm on Friday 4 December 2026"
    return env


def names(templates_dir: Path) -> list[str]:
    """Every message there is a source for."""
    return sorted(path.stem for path in (templates_dir / "notify").glob("*.md"))


def render(templates_dir: Path, message: str, values: dict[str, object]) -> Rendered:
    template = environment(templates_dir).get_template(f"{message}.md")
    holes: list[str] = []
    token = _holes.set(holes)
    try:
        source = template.render(values)
    finally:
        _holes.reset(token)
    first, _, rest = source.partition("\n")
    if not first.startswith("Subject:"):
        raise BadTemplate(f"templates/notify/{message}.md must start with 'Subject: '")
    subject = body.HOLE.sub(lambda found: holes[int(found.group(1))], first[8:]).strip()
    html_body = body.to_html(rest, holes)
    return Rendered(
        subject=subject,
        text=body.to_text(rest, holes),
        html=HTML_PAGE.format(title=escape(subject), body=html_body),
    )
