"""Page benchmark (run on demand, not part of the test suite).

    .venv/bin/python bench/pages.py [--quick] [--only NAME ...] [--duration 10] [--rounds 3]

Starts a bare Litestar "hello" (bench/hello.py) and the portal (`portal demo` in a temp
data dir), both as `portal serve` runs (uvicorn, 1 worker, access log on), signs in as
`provider`, and measures with `wrk` (installed with apt-get if missing), each figure a
ratio taken in the same run, the median of the rounds:

- pages:   req/s (wrk -t1 -c16) of hello, the profile page, the documents list as an htmx
           fragment and the sign-in page; each page's ratio to hello;
- weight:  first view bytes on the wire (`Accept-Encoding: br, gzip`, headers included) of
           the profile page and every stylesheet, script and icon it links; repeat-view
           requests = 1 + the links without a long (>= 1 year) immutable Cache-Control;
- signins: the profile's p99 at 4 connections, idle and during bursts of 20 concurrent
           sign-ins (20 accounts from 20 addresses, so no rate limit cuts them short);
- scale:   p99 at 4 connections of the profile and of the admin event list and audit
           log (first page, and the audit log's second by its Next link) on a copy of the
           demo data with 10 events and 100 audit rows, and on one with 100 000 events and
           1 000 000 more audit rows (bulk-loaded: executemany in one transaction).

Every figure is printed as it comes, then a Markdown table for docs/PERFORMANCE.md.
`--quick` is a smoke run (1 round, short durations)."""

from __future__ import annotations

import argparse
import html
import itertools
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from e2e.conftest import DEMO_PASSWORD, Server, free_port, start_server  # noqa: E402

CHECKS = ("pages", "weight", "signins", "scale")
TARGETS = {
    "profile": 0.10,  # ratio to hello, at least
    "documents": 0.20,
    "first_view_kb": 45,  # at most
    "repeat_requests": 1,
    "signin_p99_ratio": 3.0,  # at most
    "scale_p99_ratio": 1.2,
}
BURST = 20  # concurrent sign-ins
BENCH_USERS = 100  # sign-in accounts the bursts rotate through (10 sign-ins/min/username)
YEAR = 365 * 24 * 3600
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# -- wrk ------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("Installing wrk (Debian package)...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "wrk"


@dataclass
class Load:
    rps: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, headers: dict[str, str], connections: int, seconds: float) -> Load:
    """One wrk run (1 thread): requests per second and the 99th percentile latency."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    command += ["--timeout", "60s"]  # a slow answer counts in the latency, not as an error
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        errors += sum(int(n) for n in socket.groups())
    return Load(rps=rps, p99_ms=p99, requests=requests, errors=errors)


# -- servers --------------------------------------------------------------------------


def start_hello(work: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    log = (work / "hello.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "hello.py"), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return url, process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the hello app did not answer")


@dataclass
class Session:
    """A signed-in browser: its cookies (as one header) and the provider's event."""

    base_url: str
    cookie: str
    event_id: int

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": self.cookie, **extra}


def _token(page: httpx.Response) -> str:
    match = CSRF.search(page.text)
    if match is None:
        raise RuntimeError(f"no CSRF token on {page.url} ({page.status_code})")
    return match.group(1)


def sign_in(base_url: str, username: str = "provider") -> Session:
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=60) as http:
        token = _token(http.get("/sign-in"))
        answer = http.post(
            "/sign-in", data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD}
        )
        if answer.status_code not in (302, 303):
            raise RuntimeError(f"sign-in as {username} failed: {answer.status_code}")
        event_id = 0  # a provider's one event: /events leads straight to it
        if username == "provider":
            home = http.get("/events")
            event_id = int(home.headers["location"].rstrip("/").rsplit("/", 1)[-1])
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    return Session(base_url=base_url, cookie=cookie, event_id=event_id)


def expect_page(url: str, headers: dict[str, str], text: str) -> None:
    """A load test of an error or a redirect measures nothing: check the page first."""
    answer = httpx.get(url, headers=headers, timeout=60)
    if answer.status_code != 200 or text not in answer.text:
        raise RuntimeError(f"{url} answered {answer.status_code} without {text!r}")


def sqlite_path(data_dir: Path) -> Path:
    return data_dir / "portal.sqlite3"


def add_sign_in_accounts(data_dir: Path, count: int = BENCH_USERS) -> list[str]:
    """Provider accounts with the demo password (its hash copied): the bursts sign them in."""
    names = [f"bench.signin{n:03d}" for n in range(count)]
    now = datetime.now(UTC).isoformat(sep=" ")
    with sqlite3.connect(sqlite_path(data_dir), timeout=30) as db:
        db.executemany(
            "INSERT OR IGNORE INTO portal_user "
            "(username, email, display_name, role, provider, password_hash, created_at) "
            "SELECT ?, ? || '@bench.invalid', ?, role, provider, password_hash, ? "
            "FROM portal_user WHERE username = 'provider'",
            [(name, name, name, now) for name in names],
        )
    return names


# -- bulk data ------------------------------------------------------------------------


ACTIONS = ["document uploaded", "documents saved", "signed in", "survey answered", "event created"]


def bulk_load(data_dir: Path, events: int, audit_rows: int) -> float:
    """Bring the copy's event count to `events` and add `audit_rows` audit rows (one
    transaction, executemany); new events belong to new providers (10 events each)."""
    started = time.perf_counter()
    with sqlite3.connect(sqlite_path(data_dir)) as db:
        existing = db.execute("SELECT count(*) FROM event").fetchone()[0]
        new_events = max(0, events - existing)
        first_provider = db.execute("SELECT coalesce(max(id), 0) FROM provider").fetchone()[0] + 1
        providers = (new_events + 9) // 10
        db.executemany(
            "INSERT INTO provider (id, name, urn, address) VALUES (?, ?, ?, '')",
            (
                (first_provider + n, f"Bench provider {n:06d}", f"B{n:06d}")
                for n in range(providers)
            ),
        )
        start = date(2016, 1, 1)
        db.executemany(
            "INSERT INTO event (event_ref, event_type, start_date, end_date, provider, status) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    f"BENCH-{n:07d}",
                    "inspection" if n % 3 else "visit",
                    (start + timedelta(days=n % 3650)).isoformat(),
                    (start + timedelta(days=n % 3650 + 2)).isoformat(),
                    first_provider + n // 10,
                    "closed" if n % 4 else "open",
                )
                for n in range(new_events)
            ),
        )
        max_event = db.execute("SELECT max(id) FROM event").fetchone()[0]
        users = [row[0] for row in db.execute("SELECT id FROM portal_user")]
        base = datetime(2020, 1, 1, tzinfo=UTC)
        db.executemany(
            "INSERT INTO audit_event (at, actor, action, event, detail) VALUES (?, ?, ?, ?, ?)",
            (
                (
                    (base + timedelta(seconds=n * 60)).isoformat(sep=" "),
                    users[n % len(users)],
                    ACTIONS[n % len(ACTIONS)],
                    (n * 7919) % max_event + 1,
                    f"bench row {n}",
                )
                for n in range(audit_rows)
            ),
        )
    return time.perf_counter() - started


def copy_data_dir(source: Path, target: Path) -> None:
    """A consistent copy of a live data dir (SQLite's backup API, then the files)."""
    target.mkdir(parents=True)
    with sqlite3.connect(sqlite_path(source)) as src, sqlite3.connect(sqlite_path(target)) as dst:
        src.backup(dst)
    if (source / "files").exists():
        shutil.copytree(source / "files", target / "files")


# -- the checks -----------------------------------------------------------------------


@dataclass
class Bench:
    work: Path
    seconds: float
    rounds: int
    hello_url: str = ""
    portal: Server | None = None
    session: Session | None = None
    results: dict[str, object] = field(default_factory=dict)

    def profile_url(self, session: Session | None = None) -> str:
        session = session or self.session
        return f"{session.base_url}/events/{session.event_id}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def check_pages(bench: Bench) -> None:
    session = bench.session
    base = session.base_url
    # As a browser asks (over https: http-only Chromium leaves out br): pages are compressed.
    browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    targets: dict[str, tuple[str, dict[str, str]]] = {
        "hello": (bench.hello_url, browser),
        "profile": (bench.profile_url(), session.headers(**browser)),
        "documents": (
            f"{base}/events/{session.event_id}/documents",
            session.headers(**{"HX-Request": "true"}, **browser),
        ),
        "sign-in": (f"{base}/sign-in", browser),
    }
    expect_page(bench.hello_url, {}, "Hello")
    expect_page(targets["profile"][0], targets["profile"][1], "Oakfield Primary School")
    expect_page(targets["documents"][0], targets["documents"][1], 'id="document-list"')
    expect_page(targets["sign-in"][0], {}, 'name="password"')
    for url, headers in targets.values():  # warm up: compiled templates, open connections
        wrk(url, headers, 16, 1)
    rps: dict[str, list[float]] = {name: [] for name in targets}
    ratios: dict[str, list[float]] = {name: [] for name in targets if name != "hello"}
    for round_number in range(1, bench.rounds + 1):
        loads = {
            name: wrk(url, headers, 16, bench.seconds) for name, (url, headers) in targets.items()
        }
        line = []
        for name, load in loads.items():
            if load.errors:
                raise RuntimeError(f"{name}: {load.errors} errors in {load.requests} requests")
            rps[name].append(load.rps)
            if name != "hello":
                ratios[name].append(load.rps / loads["hello"].rps)
                line.append(f"{name} {load.rps:.0f} ({load.rps / loads['hello'].rps:.3f}x)")
        print(f"  round {round_number}: hello {loads['hello'].rps:.0f} req/s, " + ", ".join(line))
    bench.results["pages"] = {
        name: (median(rps[name]), median(ratios[name]) if name in ratios else 1.0)
        for name in targets
    }


def _wire_bytes(
    http: httpx.Client, url: str, headers: dict[str, str]
) -> tuple[int, httpx.Response]:
    """Bytes a browser receives for `url`: status line, headers and the encoded body."""
    with http.stream("GET", url, headers=headers) as answer:
        body = sum(len(chunk) for chunk in answer.iter_raw())
        head = len(f"HTTP/1.1 {answer.status_code} {answer.reason_phrase}\r\n") + 2
        head += sum(len(k) + len(v) + 4 for k, v in answer.headers.raw)
    return head + body, answer


LINKS = re.compile(
    r"<link\b[^>]*\brel=\"(?P<rel>[^\"]*)\"[^>]*\bhref=\"(?P<href>[^\"]+)\""
    r"|<link\b[^>]*\bhref=\"(?P<href2>[^\"]+)\"[^>]*\brel=\"(?P<rel2>[^\"]*)\""
    r"|<script\b[^>]*\bsrc=\"(?P<src>[^\"]+)\""
)


# A relative module specifier a script imports (static or dynamic import).
MODULE_IMPORT = re.compile(
    r"""(?:\bimport\s*\(\s*|\bfrom\s*|\bimport\s*)["'](\.{1,2}/[^"']+)["']"""
)


def linked_files(html: str) -> list[str]:
    """Stylesheets, scripts and icons the page links (what a browser fetches at once)."""
    found = []
    for match in LINKS.finditer(html):
        rel = (match["rel"] or match["rel2"] or "").lower()
        href = match["href"] or match["href2"] or match["src"]
        if match["src"] or "stylesheet" in rel or rel.split() == ["icon"] or rel == "shortcut icon":
            found.append(href.replace("&amp;", "&"))
    return list(dict.fromkeys(found))


def long_cache(cache_control: str) -> bool:
    max_age = re.search(r"max-age=(\d+)", cache_control)
    return "immutable" in cache_control and bool(max_age) and int(max_age.group(1)) >= YEAR


def check_weight(bench: Bench) -> None:
    session = bench.session
    accept = {"Accept-Encoding": "br, gzip"}
    rows = []
    with httpx.Client(timeout=60) as http:
        total, page = _wire_bytes(http, bench.profile_url(), session.headers(**accept))
        page_html = httpx.get(bench.profile_url(), headers=session.headers(), timeout=60).text
        rows.append(("page", total, page.headers.get("content-encoding", "-"), "-"))
        repeat = 1
        pending = [urljoin(bench.profile_url(), href) for href in linked_files(page_html)]
        seen: set[str] = set()
        while pending:
            url = pending.pop(0)
            if url in seen:
                continue
            seen.add(url)
            size, answer = _wire_bytes(http, url, session.headers(**accept))
            cache = answer.headers.get("cache-control", "")
            repeat += 0 if long_cache(cache) else 1
            total += size
            href = urlsplit(url).path
            rows.append((href, size, answer.headers.get("content-encoding", "-"), cache or "-"))
            if href.endswith((".js", ".mjs")):  # a module's imports load with it
                script = httpx.get(url, timeout=60).text
                pending += [urljoin(url, spec) for spec in MODULE_IMPORT.findall(script)]
    for name, size, encoding, cache in rows:
        print(f"  {size:>8,} B  {encoding:<5} {name}  [{cache}]")
    print(f"  first view {total:,} B ({total / 1000:.1f} KB), repeat view {repeat} request(s)")
    bench.results["weight"] = (total, repeat)


class SignInBursts(threading.Thread):
    """Bursts of `size` concurrent sign-ins, each from its own account and address,
    with `pause` seconds between bursts, until stopped."""

    def __init__(self, base_url: str, usernames: list[str], size: int = BURST, pause: float = 0.5):
        super().__init__(daemon=True)
        self.base_url, self.size, self.pause = base_url, size, pause
        self.accounts = itertools.cycle(
            (name, f"127.0.{1 + n // 250}.{1 + n % 250}") for n, name in enumerate(usernames)
        )
        self.stopping = threading.Event()
        self.ok = self.failed = self.bursts = 0

    def _one(self, account: tuple[str, str]) -> bool:
        """One browser's sign-in: GET the page, POST the form with its token and cookie.
        Plain http.client, not httpx: an httpx client builds a TLS context (tens of ms of
        CPU) even for http, and twenty at once took the cores this machine's server needs:
        the load generator, not the sign-ins, made most of the p99 measured before."""
        username, address = account
        url = urlsplit(self.base_url)
        http = HTTPConnection(
            url.hostname or "127.0.0.1", url.port, timeout=120, source_address=(address, 0)
        )
        try:
            http.request("GET", "/sign-in")
            page = http.getresponse()
            match = CSRF.search(page.read().decode())
            if page.status != 200 or match is None:
                return False
            cookies = "; ".join(
                value.split(";", 1)[0]
                for name, value in page.getheaders()
                if name.lower() == "set-cookie"
            )
            form = {"csrf_token": match.group(1), "username": username, "password": DEMO_PASSWORD}
            http.request(
                "POST",
                "/sign-in",
                body=urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies},
            )
            answer = http.getresponse()
            answer.read()
            return answer.status in (302, 303)  # only a right password is redirected
        except OSError:
            return False
        finally:
            http.close()

    def run(self) -> None:
        with ThreadPoolExecutor(self.size) as pool:
            while not self.stopping.is_set():
                batch = [next(self.accounts) for _ in range(self.size)]
                done = list(pool.map(self._one, batch))
                self.ok += sum(done)
                self.failed += len(done) - sum(done)
                self.bursts += 1
                self.stopping.wait(self.pause)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def check_signins(bench: Bench) -> None:
    session = bench.session
    url, headers = bench.profile_url(), session.headers()
    accounts = add_sign_in_accounts(bench.portal.data_dir)
    wrk(url, headers, 4, 1)
    ratios, idle_p99, busy_p99 = [], [], []
    for round_number in range(1, bench.rounds + 1):
        idle = wrk(url, headers, 4, bench.seconds)
        bursts = SignInBursts(session.base_url, accounts)
        bursts.start()
        time.sleep(0.5)  # the first burst is under way
        busy = wrk(url, headers, 4, bench.seconds)
        bursts.stop()
        if bursts.failed or not bursts.ok or idle.errors or busy.errors:
            raise RuntimeError(
                f"sign-ins ok {bursts.ok}, failed {bursts.failed}; "
                f"profile errors {idle.errors} idle, {busy.errors} during bursts"
            )
        idle_p99.append(idle.p99_ms)
        busy_p99.append(busy.p99_ms)
        ratios.append(busy.p99_ms / idle.p99_ms)
        print(
            f"  round {round_number}: profile p99 idle {idle.p99_ms:.1f} ms, during "
            f"{bursts.bursts} bursts of {BURST} sign-ins ({bursts.ok} signed in) "
            f"{busy.p99_ms:.1f} ms: {ratios[-1]:.2f}x"
        )
    bench.results["signins"] = (median(idle_p99), median(busy_p99), median(ratios))


def _next_link(session: Session, path: str) -> str:
    """The "Next" link of a list's first page (it carries the last row's key)."""
    page = httpx.get(f"{session.base_url}{path}", headers=session.headers(), timeout=60).text
    match = re.search(r'href="([^"]+)" rel="next"', page)
    if match is None:
        raise RuntimeError(f"no Next link on {path}")
    return html.unescape(match.group(1))


SCALE_PAGES = {  # name: (who signs in, the page, text it must show)
    "profile": ("provider", None, "Oakfield Primary School"),
    "admin events": ("admin", "/admin/events", "Showing 1 to "),
    "audit log": ("admin", "/admin/audit", "Showing 1 to 25"),
    "audit log, page 2": ("admin", "next:/admin/audit", "Showing 26 to 50"),
}


def check_scale(bench: Bench) -> None:
    sizes = {"small": (10, 100), "large": (100_000, 1_000_000)}
    servers: list[Server] = []
    targets: dict[str, dict[str, tuple[str, dict[str, str]]]] = {name: {} for name in sizes}
    try:
        for size, (events, audit_rows) in sizes.items():
            data_dir = bench.work / f"scale-{size}"
            copy_data_dir(bench.portal.data_dir, data_dir)
            took = bulk_load(data_dir, events, audit_rows)
            print(f"  {size}: {events:,} events, +{audit_rows:,} audit rows loaded in {took:.1f} s")
            server = start_server(data_dir)
            servers.append(server)
            sessions = {who: sign_in(server.url, who) for who in ("provider", "admin")}
            for name, (who, path, text) in SCALE_PAGES.items():
                session = sessions[who]
                if path is None:
                    url = bench.profile_url(session)
                elif path.startswith("next:"):
                    url = urljoin(server.url, _next_link(session, path[5:]))
                else:
                    url = f"{server.url}{path}"
                expect_page(url, session.headers(), text)
                wrk(url, session.headers(), 4, 1)
                targets[size][name] = (url, session.headers())
        p99s = {size: {name: [] for name in SCALE_PAGES} for size in sizes}
        ratios: dict[str, list[float]] = {name: [] for name in SCALE_PAGES}
        for round_number in range(1, bench.rounds + 1):
            line = []
            # Each pair back to back, in turn small first and large first: a machine getting
            # busier during the run favours neither.
            order = list(sizes) if round_number % 2 else list(reversed(sizes))
            for name in SCALE_PAGES:
                for size in order:
                    url, headers = targets[size][name]
                    load = wrk(url, headers, 4, bench.seconds)
                    if load.errors:
                        raise RuntimeError(f"{name} ({size}): {load.errors} errors")
                    p99s[size][name].append(load.p99_ms)
                ratios[name].append(p99s["large"][name][-1] / p99s["small"][name][-1])
                line.append(
                    f"{name} {p99s['small'][name][-1]:.1f} → {p99s['large'][name][-1]:.1f} ms "
                    f"({ratios[name][-1]:.2f}x)"
                )
            print(f"  round {round_number}: p99 at 10 → 100 000 events: " + ", ".join(line))
        bench.results["scale"] = {
            name: (median(p99s["small"][name]), median(p99s["large"][name]), median(ratios[name]))
            for name in SCALE_PAGES
        }
    finally:
        for server in servers:
            server.stop()


# -- the report -----------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(results: dict[str, object]) -> Iterator[str]:
    yield "| measure | result | target | |"
    yield "| --- | --- | --- | --- |"
    if "pages" in results:
        pages = results["pages"]
        yield f"| hello | {pages['hello'][0]:,.0f} req/s | | |"
        for name, label, target in [
            ("profile", "profile page", TARGETS["profile"]),
            ("documents", "documents list (htmx fragment)", TARGETS["documents"]),
            ("sign-in", "sign-in page", None),
        ]:
            rps, ratio = pages[name]
            goal = f"≥ {target:.2f}×" if target else ""
            mark = verdict(ratio >= target) if target else ""
            yield f"| {label} | {rps:,.0f} req/s, **{ratio:.3f}×** hello | {goal} | {mark} |"
    if "weight" in results:
        total, repeat = results["weight"]
        kb = total / 1000
        yield (
            f"| first view (profile + linked files) | **{kb:.1f} KB** | "
            f"≤ {TARGETS['first_view_kb']} KB | {verdict(kb <= TARGETS['first_view_kb'])} |"
        )
        yield f"| repeat view | **{repeat}** request(s) | 1 | {verdict(repeat <= 1)} |"
    if "signins" in results:
        idle, busy, ratio = results["signins"]
        target = TARGETS["signin_p99_ratio"]
        yield (
            f"| profile p99, idle → during {BURST} concurrent sign-ins | {idle:.1f} → {busy:.1f} ms, "
            f"**{ratio:.2f}×** | ≤ {target}× | {verdict(ratio <= target)} |"
        )
    if "scale" in results:
        target = TARGETS["scale_p99_ratio"]
        for name, (small, large, ratio) in results["scale"].items():
            goal, mark = (
                (f"≤ {target}×", verdict(ratio <= target)) if name == "profile" else ("", "")
            )
            yield (
                f"| {name} p99, 10 → 100 000 events (+1 M audit rows) | {small:.1f} → "
                f"{large:.1f} ms, **{ratio:.2f}×** | {goal} | {mark} |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round, short durations")
    parser.add_argument(
        "--only", action="append", choices=CHECKS, help="run only this check (repeatable)"
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median counts")
    args = parser.parse_args()
    seconds, rounds = (2, 1) if args.quick else (args.duration, args.rounds)
    checks: dict[str, Callable[[Bench], None]] = {
        "pages": check_pages,
        "weight": check_weight,
        "signins": check_signins,
        "scale": check_scale,
    }
    chosen = args.only or list(CHECKS)
    ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="portal-pages-"))
    bench = Bench(work=work, seconds=seconds, rounds=rounds)
    hello = None
    try:
        bench.hello_url, hello = start_hello(work)
        bench.portal = start_server(work / "portal")
        bench.session = sign_in(bench.portal.url)
        print(f"nproc {os.cpu_count()}, {rounds} round(s) of {seconds:g} s per wrk run", flush=True)
        for name in chosen:
            print(f"{name}:", flush=True)
            checks[name](bench)
    finally:
        if bench.portal is not None:
            bench.portal.stop()
        if hello is not None:
            hello.terminate()
            hello.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    print()
    for line in report(bench.results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
