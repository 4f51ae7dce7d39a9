"""A message body in GOV.UK Notify's markup, made into the plain text and the HTML part.

The markup (as Notify's): paragraphs; `# ` a heading; `* ` or `- ` a bullet; `1. ` a
numbered step; `^ ` inset text; `---` a rule; `[link text](https://...)` a link and a bare
`https://...` a link to itself. No bold, italics, code or raw HTML: Notify has none, and
a value typed by a user must never become markup.

Values from users reach the body as placeholders (see `Values`), put back after parsing:
escaped in the HTML, as they are in the text. Only our own links (`url(...)` in a
template) are part of the markup itself."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Notify's plain look, inline (mail programs drop <style>): GOV.UK type sizes and colours.
TEXT = "font-size:19px;line-height:25px;color:#0b0c0c"
STYLES = {
    "paragraph_open": f"{TEXT};margin:0 0 20px 0",
    "heading_open": "font-size:27px;line-height:35px;font-weight:bold;color:#0b0c0c;margin:0 0 20px 0",
    "bullet_list_open": f"{TEXT};margin:0 0 20px 0;padding:0 0 0 20px;list-style-type:disc",
    "ordered_list_open": f"{TEXT};margin:0 0 20px 0;padding:0 0 0 20px;list-style-type:decimal",
    "list_item_open": f"{TEXT};margin:5px 0",
    "blockquote_open": f"{TEXT};border-left:10px solid #b1b4b6;margin:0 0 20px 0;padding:15px 0 0.1px 15px",
    "hr": "border:0;height:1px;background:#b1b4b6;margin:30px 0",
    "link_open": "color:#1d70b8;text-decoration:underline",
}

HOLE = re.compile("\ue000(\\d+)\ue001")  # a value's placeholder: private-use characters
BARE_URL = re.compile(r"(?<!\]\()(?<!<)\bhttps?://[^\s<>\[\]]*[^\s<>\[\].,;:!?'\")]")
INSET = re.compile(r"^\^ ?", re.MULTILINE)
RULE_WIDTH = 40


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True})
    # Indented lines are not code, and Notify has no emphasis, images or raw HTML.
    md.disable(["code", "fence", "html_block", "html_inline", "image", "emphasis", "backticks"])
    md.disable("lheading")  # a line of dashes under a paragraph is a rule, not a heading
    return md


MD = _parser()


def hole(index: int) -> str:
    return f"\ue000{index}\ue001"


def _source(markup: str) -> str:
    """Notify's `^` inset text is Markdown's blockquote; a bare URL is an autolink."""
    markup = INSET.sub("> ", markup)
    return BARE_URL.sub(lambda found: f"<{found.group(0)}>", markup)


def _fill(text: str, values: Sequence[str], html: bool) -> str:
    def value(found: re.Match[str]) -> str:
        raw = values[int(found.group(1))]
        return escape(raw) if html else raw

    return HOLE.sub(value, text)


def _link_text(children: list[Token], start: int) -> tuple[str, int]:
    """The text of the link opened at `start`, and where it closes."""
    parts: list[str] = []
    index = start + 1
    while children[index].type != "link_close":
        parts.append(children[index].content)
        index += 1
    return "".join(parts), index


def _same(text: str, href: str) -> bool:
    return unquote(text).strip() == unquote(href).strip()


def to_text(markup: str, values: Sequence[str]) -> str:
    """The plain-text part: what the markup says, laid out for a text-only mail program."""
    blocks: list[str] = []
    prefix: list[str] = []  # "    " per inset level
    lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
    tokens = MD.parse(_source(markup))
    for position, token in enumerate(tokens):
        kind = token.type
        if kind == "blockquote_open":
            prefix.append("    ")
        elif kind == "blockquote_close":
            prefix.pop()
        elif kind == "bullet_list_open":
            lists.append([])
        elif kind == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
        elif kind in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
            blocks.append("")
        elif kind == "hr":
            blocks.extend(["".join(prefix) + "-" * RULE_WIDTH, ""])
        elif kind == "inline":
            text = _inline_text(token.children or [])
            lead = "".join(prefix)
            # A list item's text (its paragraph, hidden in a tight list, comes between).
            if lists and position >= 2 and tokens[position - 2].type == "list_item_open":
                numbers = lists[-1]
                marker = f"{numbers[0]}. " if numbers else "• "
                if numbers:
                    numbers[0] += 1
                lines = text.split("\n")
                blocks.append(lead + marker + lines[0])
                blocks.extend(lead + " " * len(marker) + line for line in lines[1:])
            else:
                blocks.extend(lead + line for line in text.split("\n"))
                blocks.append(lead.rstrip())
    text = "\n".join(blocks)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return _fill(text, values, html=False)


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    index = 0
    while index < len(children):
        child = children[index]
        if child.type == "link_open":
            href = child.attrGet("href") or ""
            text, index = _link_text(children, index)
            parts.append(unquote(href) if _same(text, href) else f"{text}: {unquote(href)}")
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append("\n")
        else:
            parts.append(child.content)
        index += 1
    return "".join(parts)


def to_html(markup: str, values: Sequence[str]) -> str:
    """The HTML part's body: the same blocks, styled inline; each link's address shown
    after its text, so it can be read (and copied) as well as followed."""
    tokens = MD.parse(_source(markup))
    for token in tokens:
        _style(token)
        for child in token.children or []:
            _style(child)
        if token.type == "inline" and token.children:
            token.children = _show_addresses(token.children)
    return _fill(MD.renderer.render(tokens, MD.options, {}), values, html=True)


def _style(token: Token) -> None:
    if token.type in STYLES:
        token.attrSet("style", STYLES[token.type])


def _show_addresses(children: list[Token]) -> list[Token]:
    shown: list[Token] = []
    index = 0
    while index < len(children):
        child = children[index]
        if child.type != "link_open":
            shown.append(child)
            index += 1
            continue
        href = child.attrGet("href") or ""
        text, close = _link_text(children, index)
        shown.extend(children[index : close + 1])
        if not _same(text, href):
            address = Token("text", "", 0)
            address.content = f" ({unquote(href)})"
            shown.append(address)
        index = close + 1
    return shown
