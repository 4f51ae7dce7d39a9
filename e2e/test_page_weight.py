"""Page weight as a provider on a slow line gets it: the profile page of the demo, signed
in, with an empty cache (first view) and again (repeat view), in Chromium, counting what
actually crossed the network (bytes of headers and body as encoded on the wire)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, Page

from e2e.axe import assert_accessible
from e2e.conftest import Server, sign_in

FIRST_VIEW_BUDGET = 45_000  # bytes on the wire (headers and body), issue 13


@dataclass
class Traffic:
    """What the network layer saw, per request (Chrome DevTools protocol events)."""

    urls: dict[str, str] = field(default_factory=dict)
    cached: set[str] = field(default_factory=set)
    wire_bytes: dict[str, int] = field(default_factory=dict)

    def watch(self, page: Page) -> None:
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        self.wire_bytes[event["requestId"]] = int(event["encodedDataLength"])

    def from_network(self) -> dict[str, int]:
        """{url: bytes} of the requests that went to the server."""
        return {
            self.urls[rid]: self.wire_bytes.get(rid, 0)
            for rid in self.urls
            if rid not in self.cached
        }


def test_profile_page_first_view_is_light_and_repeat_view_is_one_request(
    browser: Browser, page: Page, server: Server
) -> None:
    sign_in(page, server, "provider")
    signed_in = page.context.storage_state()
    profile = f"{server.url}/events/1"

    # A new context: signed in (its cookies), but an empty cache, as on a first visit.
    context = browser.new_context(storage_state=signed_in)
    try:
        fresh = context.new_page()
        errors: list[str] = []
        fresh.on("console", lambda m: m.type == "error" and errors.append(m.text))
        first = Traffic()
        first.watch(fresh)
        fresh.goto(profile, wait_until="load")
        fresh.wait_for_load_state("networkidle")
        assert fresh.url == profile
        sent = first.from_network()
        report = "\n".join(
            f"{size:7d}  {url.removeprefix(server.url)}" for url, size in sent.items()
        )
        total = sum(sent.values())
        print(f"\nfirst view of the profile page, bytes on the wire:\n{report}\n{total:7d}  total")
        assert total <= FIRST_VIEW_BUDGET, report
        assert all(size > 0 for size in sent.values()), report

        # Again, by navigating (not a hard reload): only the page itself is fetched.
        repeat = Traffic()
        repeat.watch(fresh)
        fresh.goto(profile, wait_until="load")
        fresh.wait_for_load_state("networkidle")
        again = repeat.from_network()
        assert list(again) == [profile], again
        assert not errors, errors
        assert_accessible(fresh, "provider profile page, repeat view")
    finally:
        context.close()
