"""The load test's browser: one provider user signing in once, then uploading, saving,
cancelling and deleting documents and saving the accuracy check and the survey, back to
back, as the pages do (the CSRF token and the check's version read from them). It keeps
what each acknowledged action (and each whose answer was lost) must have left: `Expected`.
Used by bench/load.py."""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
from e2e.conftest import DEMO_PASSWORD

from portal import demo as demo_data

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d*)"')
ROW = re.compile(r'href="[^"]*/documents/(\d+)/download" download>([^<]+)</a>')
TIMEOUT = 180  # seconds a request may take before it counts as an error
# Weights of the actions in a client's mix.
MIX = {"upload": 35, "save": 18, "accuracy": 20, "survey": 15, "delete": 7, "cancel": 5}
STATEMENT_KEYS = ["professional", "courteous", "communication", "overall"]
RATINGS = ["strongly_agree", "agree", "disagree", "strongly_disagree"]
ACTIVITIES = ["planning_call", "leaders", "observations", "work_scrutiny", "learners", "staff"]


def username(number: int) -> str:
    return f"load.provider{number:02d}"


def pdf(rng: random.Random, title: str) -> bytes:
    """A valid PDF of 1 to 60 KB: a page whose text lines are random hex."""
    lines = [rng.randbytes(32).hex() for _ in range(rng.randint(10, 800))]
    return demo_data.demo_pdf(title, lines)


# -- what a client expects ------------------------------------------------------------

ABSENT, STAGED, LIVE, PENDING, DELETED = "absent", "staged", "live", "pending_delete", "deleted"
AFTER_SAVE = {STAGED: LIVE, PENDING: DELETED}
AFTER_CANCEL = {STAGED: ABSENT, PENDING: LIVE}


@dataclass
class Expected:
    """What a client's acknowledged actions (and those whose answer was lost) leave.

    Each uploaded file name maps to the states its row may be in: one state after an
    acknowledged action, several after one whose answer was lost (it may or may not have
    happened). A name whose upload answer was lost may have two rows (the retry's too):
    it is never chosen for a delete."""

    files: dict[str, set[str]] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    doubtful: set[str] = field(default_factory=set)
    comments: list[tuple[str, bool]] = field(default_factory=list)  # (sent, acknowledged)
    improve: list[tuple[str, bool]] = field(default_factory=list)

    def apply(self, change: dict[str, str], certain: bool) -> None:
        for name, states in self.files.items():
            after = {change.get(state, state) for state in states}
            self.files[name] = after if certain else states | after

    def deletable(self) -> list[str]:
        return sorted(
            name
            for name, states in self.files.items()
            if states == {LIVE} and name not in self.doubtful
        )


def acceptable(sent: list[tuple[str, bool]], initial: str) -> set[str]:
    """The values a field may hold: the last acknowledged one or any sent after it."""
    acked = [i for i, (_, ok) in enumerate(sent) if ok]
    if not acked:
        return {initial} | {value for value, _ in sent}
    return {value for value, _ in sent[acked[-1] :]}


# -- a client -------------------------------------------------------------------------


class Lost(Exception):
    """The request may have reached the server but its answer never came."""


class Refused(Exception):
    """An answer that is not the action's success."""


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    lost: int = 0
    acknowledged_at: list[float] = field(default_factory=list)  # monotonic clock


@dataclass
class Client:
    number: int
    base_url: str
    deadline: float
    tally: Tally
    crash: bool
    rng: random.Random
    expected: Expected = field(default_factory=Expected)
    event_id: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # signed in, or gave up
    token: str = ""
    version: str = ""
    ids: dict[str, int] = field(default_factory=dict)  # file name -> document id (last seen)
    uploads: int = 0
    http: httpx.AsyncClient | None = None

    @property
    def event(self) -> str:
        return f"/events/{self.event_id}"

    # -- requests, retried when the server is away ------------------------------------

    async def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        """One request. Connection refused (nothing was sent) is retried while the run
        lasts (plus a minute for a restart); any other broken connection is `Lost`."""
        give_up = self.deadline + 60
        while True:
            try:
                return await self.http.request(method, url, **kwargs)  # type: ignore[arg-type,union-attr]
            except httpx.ConnectError:
                if not self.crash or time.monotonic() > give_up:
                    raise
                self.tally.retries += 1
                await asyncio.sleep(0.2)
            except httpx.TransportError as error:
                if not self.crash:
                    raise
                self.tally.lost += 1
                raise Lost(type(error).__name__) from error

    async def page(self, url: str) -> httpx.Response:
        for _ in range(20):  # a page read after a lost answer: retried, it changes nothing
            try:
                answer = await self.request("GET", url)
            except Lost:
                await asyncio.sleep(0.2)
                continue
            if answer.status_code != 200:
                raise Refused(f"GET {url}: {answer.status_code}")
            found = CSRF.search(answer.text)
            if found:
                self.token = found.group(1)
            return answer
        raise Refused(f"GET {url}: no answer")

    # -- sign in ------------------------------------------------------------------------

    async def sign_in(self) -> None:
        await self.page("/sign-in")
        answer = await self.request(
            "POST",
            "/sign-in",
            data={
                "csrf_token": self.token,
                "username": username(self.number),
                "password": DEMO_PASSWORD,
            },
        )
        if answer.status_code not in (302, 303):
            raise Refused(f"sign-in: {answer.status_code}")
        home = await self.request("GET", "/events")
        self.event_id = int(home.headers["location"].rstrip("/").rsplit("/", 1)[-1])
        self.read_rows((await self.page(f"{self.event}/documents")).text)

    def read_rows(self, html: str) -> None:
        for document_id, name in ROW.findall(html):
            self.ids[name] = int(document_id)

    # -- actions ------------------------------------------------------------------------

    async def upload(self) -> None:
        self.uploads += 1
        name = f"client {self.number:02d} file {self.uploads:04d}.pdf"
        content = pdf(self.rng, name)
        self.expected.sha256[name] = hashlib.sha256(content).hexdigest()
        before = self.expected.files.get(name, {ABSENT})

        async def once() -> None:
            answer = await self.request(
                "POST",
                f"{self.event}/documents",
                headers={"HX-Request": "true", "X-CSRF-Token": self.token},
                data={"csrf_token": self.token},
                files={"file": (name, content, "application/pdf")},
            )
            if answer.status_code != 200 or f"‘{name}’ has been uploaded" not in answer.text:
                raise Refused(_why("upload", answer))
            self.read_rows(answer.text)

        try:
            await self.retried(once, name)
        except BaseException:
            self.expected.files[name] = before | {STAGED}
            raise
        self.expected.files[name] = {STAGED}

    async def retried(self, once, name: str = "") -> None:  # type: ignore[no-untyped-def]
        """`once`, and again after a lost answer (the first may have happened too)."""
        for attempt in range(10):
            try:
                return await once()
            except Lost:
                if name:
                    self.expected.doubtful.add(name)
                await asyncio.sleep(0.2 * (attempt + 1))
                await self.page(f"{self.event}/documents")  # the browser reloads: a new token
        raise Refused("no answer after 10 tries")

    async def save_or_cancel(self, action: str) -> None:
        change = AFTER_SAVE if action == "save" else AFTER_CANCEL
        words = (
            ("have been saved", "no changes to save")
            if action == "save"
            else ("have been cancelled", "no changes to cancel")
        )

        async def once() -> None:
            answer = await self.request(
                "POST", f"{self.event}/documents/{action}", data={"csrf_token": self.token}
            )
            done = _banner(answer)
            if answer.status_code != 303 or not any(w in done for w in words):
                raise Refused(_why(action, answer))

        try:
            await self.retried(once)
        except BaseException:
            self.expected.apply(change, certain=False)
            raise
        self.expected.apply(change, certain=True)

    async def delete(self) -> None:
        name = self.rng.choice(self.expected.deletable())
        document_id = self.ids[name]
        try:
            answer = await self.request(
                "POST",
                f"{self.event}/documents/{document_id}/delete",
                data={"csrf_token": self.token},
            )
        except Lost:
            # Not retried: a delete that happened cannot be staged again (404).
            self.expected.files[name] = {LIVE, PENDING}
            self.expected.doubtful.add(name)
            await self.page(f"{self.event}/documents")
            return
        if answer.status_code != 303 or not answer.headers.get("location", "").endswith(
            f"{self.event}/documents"
        ):
            self.expected.files[name] = {LIVE, PENDING}
            raise Refused(_why("delete", answer))
        self.expected.files[name] = {PENDING}

    async def accuracy(self) -> None:
        comments = f"Client {self.number:02d} comment {secrets.token_hex(6)}: the dates are right."
        autosave = self.rng.random() < 0.6
        self.expected.comments.append((comments, False))
        url = f"{self.event}/accuracy-check"
        if not self.version:
            self.read_version((await self.page(url)).text)

        async def once() -> None:
            data = {
                "csrf_token": self.token,
                "wants_to_comment": "yes",
                "comments": comments,
                "version": self.version,
                "action": "autosave" if autosave else "save",
            }
            headers = {"HX-Request": "true", "X-CSRF-Token": self.token} if autosave else {}
            answer = await self.request("POST", url, data=data, headers=headers)
            if autosave and answer.status_code == 200 and "Last saved on" in answer.text:
                if "Not saved" not in answer.text:
                    self.read_version(answer.text)
                    return
            if not autosave and answer.status_code == 303:
                if answer.headers.get("location", "").endswith(f"{url}?saved=1"):
                    self.read_version((await self.page(f"{url}?saved=1")).text)
                    return
            raise Refused(_why("accuracy save", answer))

        for attempt in range(10):
            try:
                await once()
                break
            except Lost:
                # Saved or not, the version may have moved on: the browser reloads the
                # form (a new version and token) and saves again.
                await asyncio.sleep(0.2 * (attempt + 1))
                self.read_version((await self.page(url)).text)
        else:
            raise Refused("accuracy save: no answer after 10 tries")
        self.expected.comments[-1] = (comments, True)

    def read_version(self, html: str) -> None:
        found = VERSION.search(html)
        if found is None:
            raise Refused("accuracy check page without its version")
        self.version = found.group(1)

    async def survey(self) -> None:
        improve = f"Client {self.number:02d} survey {secrets.token_hex(6)}: more notice."
        self.expected.improve.append((improve, False))
        data = {f"rating_{key}": self.rng.choice(RATINGS) for key in STATEMENT_KEYS} | dict(
            zip(["most_1", "most_2", "least_1"], self.rng.sample(ACTIVITIES, 3), strict=True)
        )
        data |= {"why": "The planning call set the tone.", "improve": improve}

        async def once() -> None:
            answer = await self.request(
                "POST", f"{self.event}/survey", data={"csrf_token": self.token, **data}
            )
            if answer.status_code != 303 or "survey answers have been saved" not in _banner(answer):
                raise Refused(_why("survey save", answer))

        await self.retried(once)
        self.expected.improve[-1] = (improve, True)

    # -- the run ------------------------------------------------------------------------

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=1)  # one browser tab
        # A browser waits minutes for an answer; 20 sign-ins at once on a busy 2-core
        # machine queue behind argon2 for up to a minute.
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=TIMEOUT, limits=limits, follow_redirects=False
        ) as self.http:
            try:
                await self._sign_in_once()
            finally:
                self.ready.set()
            if self.event_id:
                await self._mix()

    async def _sign_in_once(self) -> None:
        """Sign in (again if the server was killed mid-way); the time it took is kept.
        A refusal is an error, and this client then stops (its event stays unknown)."""
        started = time.perf_counter()
        for attempt in range(5):
            try:
                await self.sign_in()
            except Lost:  # killed mid-way: sign in again
                self.event_id = 0
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            except (Refused, httpx.HTTPError) as error:
                self.event_id = 0
                self.tally.errors.append(f"client {self.number}: sign-in: {error!r}")
                return
            took = (time.perf_counter() - started) * 1000
            self.tally.latencies.setdefault("sign-in", []).append(took)
            return
        self.tally.errors.append(f"client {self.number}: sign-in: no answer")

    async def _mix(self) -> None:
        """Actions back to back until the deadline; an error is counted and the client
        carries on as a browser would: from the page, with a new token."""
        actions = list(MIX)
        weights = list(MIX.values())
        while time.monotonic() < self.deadline:
            action = self.rng.choices(actions, weights)[0]
            if action == "delete" and not self.expected.deletable():
                action = "upload"  # nothing saved to delete yet
            started = time.perf_counter()
            try:
                if action == "upload":
                    await self.upload()
                elif action in ("save", "cancel"):
                    await self.save_or_cancel(action)
                elif action == "delete":
                    await self.delete()
                elif action == "accuracy":
                    await self.accuracy()
                else:
                    await self.survey()
            except (Refused, Lost, httpx.HTTPError) as error:
                self.tally.errors.append(f"client {self.number}: {action}: {error!r}")
                await asyncio.sleep(0.2)
                try:
                    await self.page(f"{self.event}/documents")
                except (Refused, httpx.HTTPError):
                    pass
                continue
            took = (time.perf_counter() - started) * 1000
            self.tally.latencies.setdefault(action, []).append(took)
            self.tally.acknowledged_at.append(time.monotonic())


def _banner(answer: httpx.Response) -> str:
    query = parse_qs(urlsplit(answer.headers.get("location", "")).query)
    return " ".join(query.get("done", []))


def _why(action: str, answer: httpx.Response) -> str:
    """The status, where it led and what the page said (its title, the error summary)."""
    page = re.sub(r"<script\b.*?</script>", " ", answer.text, flags=re.S)
    title = re.search(r"<title>\s*(.*?)\s*</title>", page, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    problem = re.search(r"There is a problem (.{0,160})", text)
    said = problem.group(1) if problem else (title.group(1) if title else text[:160])
    return f"{action}: {answer.status_code} {answer.headers.get('location', '')} {said}".strip()
