"""The audit log's details as a person reads them ("Ofsted documents: 6 uploaded, none
deleted") rather than as they were stored (`side=ofsted;uploaded=6;deleted=`).

What is stored is never changed: each action's words are made here when the log is
shown, by the formatter registered for the action in `FORMATTERS` (action → function).
A detail a formatter does not recognise, or an action with none, falls back to a
readable form of `key=value` pairs, or else to the text as stored."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from portal.clock import format_date_range
from portal.db.tables import DOCUMENT_KINDS, EVENT_TYPES, ROLES
from portal.web.templates import format_size

Formatter = Callable[[str], str | None]  # None: not a detail this formatter knows

SIDES = {"ofsted": "Ofsted", "provider": "Provider"}
_PAIRS = re.compile(r"^\s*[a-z_]+=[^;=]*(;\s*[a-z_]+=[^;=]*)*;?\s*$")


def _side(side: str) -> str:
    return SIDES.get(side, side.capitalize())


def _quoted(name: str) -> str:
    return f"‘{name}’"


def _count(value: str, what: str) -> str:
    value = value.strip()
    return f"{value} {what}" if value and value != "0" else f"none {what}"


def _pairs(detail: str) -> dict[str, str] | None:
    """`a=1;b=` as {"a": "1", "b": ""}; None for any other text."""
    if not _PAIRS.match(detail):
        return None
    pairs = (part.split("=", 1) for part in detail.split(";") if part.strip())
    return {key.strip(): value.strip() for key, value in pairs}


def documents_summary(detail: str) -> str | None:
    """`side=ofsted;uploaded=6;deleted=` → "Ofsted documents: 6 uploaded, none deleted"."""
    pairs = _pairs(detail)
    if pairs is None or "side" not in pairs:
        return None
    counts = [_count(pairs[key], key) for key in ("uploaded", "deleted") if key in pairs]
    return f"{_side(pairs['side'])} documents" + (": " + ", ".join(counts) if counts else "")


_DOCUMENT = re.compile(
    r"^(?P<side>\w+) document \d+ '(?P<name>.*?)'"
    r"(?: \((?P<size>\d+) bytes, sha256 \w+, (?:[^,]+, )?kind (?P<kind>\w+)\))?$"
)


def document(detail: str) -> str | None:
    """`ofsted document 12 'Letter.pdf' (4512 bytes, sha256 …, kind letter)` →
    "Ofsted document ‘Letter.pdf’ (Letter, 4.4 KB)"."""
    found = _DOCUMENT.match(detail)
    if found is None:
        return None
    text = f"{_side(found['side'])} document {_quoted(found['name'])}"
    if found["size"] is not None:
        kind = DOCUMENT_KINDS.get(found["kind"], found["kind"])
        text += f" ({kind}, {format_size(int(found['size']))})"
    return text


_REFUSED = re.compile(r"^(?P<side>\w+) document '(?P<name>.*?)': (?P<reason>.*)$", re.S)


def upload_refused(detail: str) -> str | None:
    found = _REFUSED.match(detail)
    if found is None:
        return None
    return f"{_side(found['side'])} document {_quoted(found['name'])}: {found['reason']}"


_FILES = re.compile(r"\d+ '(.*?)'(?:, |$)")
_CANCELLED = re.compile(r"^(?P<side>\w+): dropped uploads (?P<dropped>.*); kept (?P<kept>.*)$")


def changes_cancelled(detail: str) -> str | None:
    """`ofsted: dropped uploads 3 'a.pdf'; kept 4 'b.pdf'` → "Ofsted documents: uploads
    not kept ‘a.pdf’; deletions undone ‘b.pdf’"."""
    found = _CANCELLED.match(detail)
    if found is None:
        return None
    parts = []
    for label, files in (("uploads dropped", "dropped"), ("deletions undone", "kept")):
        names = [_quoted(name) for name in _FILES.findall(found[files])]
        if names:
            parts.append(f"{label} {', '.join(names)}")
    return f"{_side(found['side'])} documents: " + ("; ".join(parts) or "nothing to undo")


_EVENT_CREATED = re.compile(
    r"^(?P<ref>\S+) \((?P<type>\w+)\) (?P<start>\d{4}-\d\d-\d\d) to (?P<end>\d{4}-\d\d-\d\d)$"
)


def event_created(detail: str) -> str | None:
    """`INS-1 (inspection) 2026-12-01 to 2026-12-03` → "INS-1: Inspection, 1 to 3
    December 2026"."""
    found = _EVENT_CREATED.match(detail)
    if found is None:
        return None
    kind = EVENT_TYPES.get(found["type"], found["type"])
    dates = format_date_range(date.fromisoformat(found["start"]), date.fromisoformat(found["end"]))
    return f"{found['ref']}: {kind}, {dates}"


_ACCOUNT_CREATED = re.compile(r"^(?P<username>\S+) \((?P<role>\w+)\); invitation sent$")


def account_created(detail: str) -> str | None:
    found = _ACCOUNT_CREATED.match(detail)
    if found is None:
        return None
    role = ROLES.get(found["role"], found["role"]).lower()
    return f"{found['username']} ({role}): invitation emails sent"


def numbered(noun: str) -> Formatter:
    """`concern 5, a follow-up to 3` → "Concern 5, a follow-up to concern 3"."""
    pattern = re.compile(rf"^{noun} (\d+)(?:, a follow-up to (\d+))?(?:: (.*))?$")

    def formatter(detail: str) -> str | None:
        found = pattern.match(detail)
        if found is None:
            return None
        text = f"{noun.capitalize()} {found[1]}"
        if found[2]:
            text += f", a follow-up to {noun} {found[2]}"
        if found[3]:
            text += f": {found[3]}"
        return text

    return formatter


def wrong_password(detail: str) -> str | None:
    found = re.fullmatch(r"wrong password (\d+)", detail)
    return None if found is None else f"Wrong password ({found[1]} in a row)"


FORMATTERS: dict[str, Formatter] = {
    "documents saved": documents_summary,
    "document saved": document,
    "document deleted": document,
    "document uploaded (not saved)": document,
    "document upload withdrawn (not saved)": document,
    "document delete staged (not saved)": document,
    "document upload refused": upload_refused,
    "document changes cancelled": changes_cancelled,
    "event created": event_created,
    "account created": account_created,
    "concern raised": numbered("concern"),
    "concern answered": numbered("concern"),
    "evidence confirmation requested": numbered("request"),
    "evidence confirmation answered": numbered("request"),
    "sign-in failed": wrong_password,
}


def key_values(detail: str) -> str | None:
    """Any `key=value;…` detail: "Side: ofsted, uploaded: 6, deleted: none"."""
    pairs = _pairs(detail)
    if pairs is None:
        return None
    if "side" in pairs and set(pairs) <= {"side", "uploaded", "deleted"}:
        return documents_summary(detail)
    shown = [f"{key.replace('_', ' ')}: {value or 'none'}" for key, value in pairs.items()]
    text = ", ".join(shown)
    return text[:1].upper() + text[1:]


def readable(action: str, detail: str | None) -> str:
    """The detail of an audit entry, in words."""
    detail = (detail or "").strip()
    if not detail:
        return ""
    formatter = FORMATTERS.get(action)
    shown = formatter(detail) if formatter is not None else None
    return shown or key_values(detail) or detail
