"""The Jinja environment: our templates first, GOV.UK Frontend macros under their prefix."""

from __future__ import annotations

from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from markupsafe import Markup

from portal.clock import format_date, format_date_range, format_datetime


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
        # Templates do not change while the portal runs: no stat() of the file on every
        # render, and each template is compiled once per process, then its bytecode is
        # reused by the next process (and by every app a test run builds). The cache is
        # Jinja's own per-user directory under the temp dir, checked against the source.
        auto_reload=False,
        bytecode_cache=FileSystemBytecodeCache(),
        cache_size=-1,  # keep every compiled template: a few hundred, all small
    )
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["date_range"] = format_date_range  # `start | date_range(end)`
    env.filters["filesize"] = format_size
    env.globals["error_list"] = error_list
    env.globals["error_message"] = error_message
    env.globals["page_title"] = page_title
    return env


def compile_all(env: Environment) -> int:
    """Load every template now (from the bytecode cache when it has them), so that no
    request pays for a first compile; returns how many."""
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        env.get_template(name)
    return len(names)
