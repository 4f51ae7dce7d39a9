"""The Jinja environment: our templates first, GOV.UK Frontend macros under their prefix."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from markupsafe import Markup

LONDON = ZoneInfo("Europe/London")


def format_date(value: date | datetime | None) -> str:
    """'4 December 2026' (GOV.UK style: no leading zero, month in full)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return f"{value.day} {value:%B %Y}"


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    """'4 December 2026 at 3:05pm' in UK time."""
    if value is None:
        return ""
    local = _local(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{format_date(local)} at {hour}:{local:%M}{suffix}"


def format_size(size: int | None) -> str:
    if size is None:
        return ""
    units = ["bytes", "KB", "MB", "GB"]
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    """For govukErrorSummary: each message links to its field."""
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


def error_message(errors: dict[str, str] | None, field: str) -> dict[str, str] | None:
    """For a field macro's errorMessage: None when the field is fine."""
    if errors and errors.get(field):
        return {"text": errors[field]}
    return None


def page_title(title: str, errors: object, service_name: str) -> Markup:
    """The <title> text: GOV.UK puts "Error: " first while the page shows errors.
    `title` is the page's rendered title block (already escaped HTML)."""
    return Markup("{}{} – {}").format(
        "Error: " if errors else "", Markup(title.strip()), service_name
    )


def make_environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(templates_dir)),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["filesize"] = format_size
    env.globals["error_list"] = error_list
    env.globals["error_message"] = error_message
    env.globals["page_title"] = page_title
    return env
