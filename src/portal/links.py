"""Absolute links from route names, where there is no request: services, periodic tasks
and emails. `app.py` calls `install(app.route_reverse, settings.base_url)` when the app is
built; then `url("events.profile", event_id=7, anchor="concerns")` is
"<PORTAL_BASE_URL>/events/7#concerns".

A link in an email must work from the reader's inbox, so it starts with the portal's
public address (PORTAL_BASE_URL), never with the address a request happened to use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class _Installed:
    reverse: Callable[..., str]
    base_url: str


_installed: _Installed | None = None


class NotInstalled(RuntimeError):
    """A link was asked for before the app was built (`install` not called)."""


def install(reverse: Callable[..., str], base_url: str) -> None:
    """Called once the app exists: its route names, and the portal's public address."""
    global _installed
    _installed = _Installed(reverse, base_url.rstrip("/"))


def base_url() -> str:
    return _current().base_url


def url(
    route_name: str, /, *, anchor: str = "", query: dict[str, str] | None = None, **params: object
) -> str:
    """The absolute URL of `route_name` with its path `params`, then `?query` and `#anchor`."""
    installed = _current()
    address = installed.base_url + installed.reverse(route_name, **params)
    if query:
        address += "?" + urlencode(query)
    return f"{address}#{anchor}" if anchor else address


def absolute(path: str) -> str:
    """A path this app answers (already reversed from a route name), as an absolute URL."""
    return _current().base_url + path


def _current() -> _Installed:
    if _installed is None:
        raise NotInstalled("portal.links.install was not called: build the app (create_app) first")
    return _installed
