"""Fill in and send a page's real HTML form as a browser without JavaScript would: its
action, its hidden fields (the CSRF token among them), its checked and typed values, and
the pressed button's name and value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text

    def data(self, button: str | None = None, **values: str) -> dict[str, str]:
        """The body as sent when `button` (its text) is pressed, with `values` typed in."""
        data = dict(self.fields)
        data.update(values)
        for name, value, text in self.buttons:
            if button is not None and text == button and name:
                data[name] = value
        return data


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._button: tuple[str, str] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                Form(
                    a.get("action", ""),
                    a.get("method", "get").lower(),
                    a.get("enctype", "application/x-www-form-urlencoded"),
                )
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"radio", "checkbox"} and "checked" not in a:
                return
            if kind not in {"file", "submit"}:
                form.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name", ""), ""
        elif tag == "select":
            self._select = a.get("name", "")
        elif tag == "option" and self._select and "selected" in a:
            form.fields.append((self._select, a.get("value", "")))
        elif tag == "button":
            self._button, self._text = (a.get("name", ""), a.get("value", "")), ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "textarea" and self._textarea is not None:
            form.fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "button" and self._button is not None:
            form.buttons.append((*self._button, self._text.strip()))
            self._button = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_to(html: str, action: str) -> Form:
    """The page's form that posts to `action` (a path, query ignored)."""
    found = [f for f in forms_of(html) if f.action.split("?")[0] == action]
    assert found, f"no form posts to {action}; forms: {[f.action for f in forms_of(html)]}"
    return found[0]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join(self._text.split()), self._href))
            self._href = None


def link(html: str, text: str, href: str = ".*") -> str:
    """The href of the link whose text starts with `text` (and whose href matches `href`)."""
    parser = _Links()
    parser.feed(html)
    found = [
        url
        for label, url in parser.links
        if label.startswith(text) and re.fullmatch(href, url.split("?")[0])
    ]
    assert found, f"no link {text!r}; links: {[label for label, _ in parser.links]}"
    return found[0]
