"""Load and crash test (issue 16; run on demand, not part of the tests; loopback only).

    .venv/bin/python bench/load.py [--seconds 60] [--clients 20] [--backends sqlite,postgres]
                                   [--crash] [--workers N] [--grace 30] [--seed 16]

For each backend, the portal runs as a real server (`portal serve`, a subprocess):
`sqlite` on a SQLite file with 1 worker; `postgres` on a fresh PostgreSQL database
(created here, dropped after) with 2 workers sharing Redis (database 12 of
PORTAL_LOAD_REDIS, emptied before and after). Demo data is loaded and one provider, event
(with its draft report published, so the factual accuracy check is open) and user is added
for each client.

Each client (bench/load_client.py) signs in once, like a browser (the CSRF token read
from the page), then for `--seconds` does, back to back, a random mix of: upload a PDF it
generates (random content, 1 to 60 KB; the htmx request the page makes), Save or Cancel
the documents, stage a delete of a saved document, save the accuracy check (as you type,
htmx, or 'Save and come back later') and save the survey. An action counts as
acknowledged only on its success answer (303 to the page the success banner names, or the
200 fragment saying so); anything else is an error.

Afterwards, with the server stopped, the database and the files folder are read:

- every acknowledged upload is there in the state the acknowledged Saves, Cancels and
  deletes after it give it (staged, live, pending delete, deleted or gone), and the
  accuracy check's and survey's stored answers are the last acknowledged ones (or one sent
  after it whose answer was lost to the crash);
- every stored file's SHA-256 is the one the client sent, and the row's too;
- no orphan (a file no live row points at) and no unfinished upload (`*.part`).

`--crash`: each backend once more, the server killed (SIGKILL, the whole process group)
at 40% of the run, while a slow 10 MB upload is streaming in, and started again on the
same port; clients retry on connection errors (an action whose answer was lost may or
may not have happened: both are accepted, but nothing acknowledged may be lost). The
storage sweep runs every 5 s with a grace period of `--grace` seconds throughout; after
the clients stop, it must remove what the kill left (stored files without a row,
unfinished uploads) within the grace period and three sweeps.

Prints a table (per run: actions, errors, p50/p99 ms) and the checks; exit status 0 only
when every run has 0 errors and every check holds."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.load_client import ABSENT, DELETED, Client, Tally, acceptable, username  # noqa: E402
from bench.scale import PG_ADMIN_URL, _postgres  # noqa: E402
from e2e.conftest import DEMO_PASSWORD, free_port  # noqa: E402

from portal import demo as demo_data  # noqa: E402
from portal.accuracy.tables import AccuracyCheck  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.commands import database  # noqa: E402
from portal.db.tables import Document, Event, Provider, TeamMember, User  # noqa: E402
from portal.documents.api import make_storage  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.survey.tables import SurveyResponse  # noqa: E402

REDIS_URL = os.environ.get("PORTAL_LOAD_REDIS", "redis://127.0.0.1:6379/12")
SWEEP_SECONDS = 5
CRASH_AT = 0.4  # of the run
TEMP_SUFFIX = ".part"


# -- the server -----------------------------------------------------------------------


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Portal:
    """`portal serve` on one port, started again on the same port after a kill."""

    data_dir: Path
    workers: int
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / "serve.log"

    def start(self) -> float:
        """Start and wait for /healthz; returns the seconds that took."""
        started = time.monotonic()
        command = [sys.executable, "-m", "portal.cli", "--data-dir", str(self.data_dir), "serve"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--workers", str(self.workers)],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **self.env},
            start_new_session=True,  # its own process group: a kill takes every worker
        )
        while not _answers(f"{self.url}/healthz"):
            if self.process.poll() is not None or time.monotonic() - started > 90:
                self.kill()
                raise RuntimeError(f"portal serve did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL to the supervisor and every worker at once: nothing gets to clean up."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=40)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


def empty_redis() -> None:
    """The load test's own Redis database (PORTAL_LOAD_REDIS): emptied before and after."""
    redis.Redis.from_url(REDIS_URL).flushdb()


# -- the data -------------------------------------------------------------------------


async def _one_chunk(data: bytes):  # type: ignore[no-untyped-def]
    yield data


async def seed(settings: Settings, clients: int) -> None:
    """The demo data, and for each client a provider, an open inspection with its draft
    report published (which opens the accuracy check) and a provider user."""
    files = make_storage(settings)
    try:
        async with database(settings):
            await demo_data.load(files)
            lead = await User.objects().where(User.username == "lead.inspector").first()
            password_hash = await hash_password(DEMO_PASSWORD)
            today = date.today()
            for number in range(clients):
                provider = Provider(
                    urn=f"L{number:05d}",
                    name=f"Load Test School {number:02d}",
                    address=f"{number} Bench Road\nLeeds\nLS1 1AA",
                )
                await provider.save()
                event = Event(
                    event_ref=f"INS-LOAD-{number:04d}",
                    event_type="inspection",
                    start_date=today - timedelta(days=2),
                    end_date=today + timedelta(days=1),
                    provider=provider.id,
                )
                await event.save()
                await TeamMember(event=event.id, user=lead.id, team_role="lead").save()
                await User(
                    username=username(number),
                    display_name=f"Load Tester {number:02d}",
                    role="provider",
                    email=f"{username(number)}@load.invalid",
                    provider=provider.id,
                    password_hash=password_hash,
                ).save()
                report = demo_data.demo_pdf(f"Load Test School {number:02d}: draft report", [])
                stored = await files.save(_one_chunk(report), max_bytes=len(report))
                now = datetime.now(UTC)
                await Document(
                    event=event.id,
                    side="ofsted",
                    kind="draft_report",
                    file_name="Draft inspection report.pdf",
                    stored_name=stored.stored_name,
                    size=stored.size,
                    sha256=stored.sha256,
                    content_type="application/pdf",
                    uploaded_by=lead.id,
                    uploaded_at=now,
                    saved_at=now,
                    state="live",
                ).save()
                await demo_data.after_publish(event.id, "draft_report", now)
    finally:
        await files.close()


@dataclass
class Stored:
    documents: list[dict[str, object]]
    comments: dict[int, str]  # event id -> the accuracy check's comments
    improve: dict[int, str]  # event id -> the survey's "how to improve"


async def read_back(settings: Settings) -> Stored:
    async with database(settings):
        documents = await Document.select(
            Document.id,
            Document.event,
            Document.file_name,
            Document.state,
            Document.sha256,
            Document.stored_name,
            Document.staged_by,
        )
        checks = await AccuracyCheck.select(AccuracyCheck.event, AccuracyCheck.comments)
        surveys = await SurveyResponse.select(SurveyResponse.event, SurveyResponse.improve)
    return Stored(
        documents=documents,
        comments={row["event"]: row["comments"] for row in checks},
        improve={row["event"]: row["improve"] for row in surveys},
    )


# -- one run --------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    actions: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    retries: int = 0
    lost: int = 0
    checks: dict[str, str] = field(default_factory=dict)  # what was checked -> "" or a problem
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(self.checks.values())


def storage_problems(files_dir: Path, stored: Stored) -> tuple[list[str], list[str], list[str]]:
    """(files whose bytes are not their row's SHA-256 or are missing, orphans, temps)."""
    on_disk = {p.name for p in files_dir.iterdir()} if files_dir.exists() else set()
    temps = sorted(n for n in on_disk if n.endswith(TEMP_SUFFIX))
    in_use = {row["stored_name"]: row for row in stored.documents if row["state"] != DELETED}
    damaged = []
    for name, row in in_use.items():
        path = files_dir / str(name)
        if name not in on_disk:
            damaged.append(f"{row['file_name']}: its file is missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
            damaged.append(f"{row['file_name']}: the file's SHA-256 is not the row's")
    orphans = sorted(n for n in on_disk - set(in_use) if not n.endswith(TEMP_SUFFIX))
    return damaged, orphans, temps


def compare(clients: list[Client], stored: Stored) -> dict[str, list[str]]:
    """Every client's acknowledged work against what the database holds."""
    rows: dict[tuple[int, str], list[dict[str, object]]] = {}
    for row in stored.documents:
        rows.setdefault((int(row["event"]), str(row["file_name"])), []).append(row)
    problems: dict[str, list[str]] = {"documents": [], "sha256": [], "accuracy": [], "survey": []}
    for client in clients:
        expected = client.expected
        for name, states in expected.files.items():
            found = rows.get((client.event_id, name), [])
            if not found and ABSENT not in states:
                problems["documents"].append(f"{name}: no row, expected {sorted(states)}")
            for row in found:
                if row["state"] not in states:
                    problems["documents"].append(
                        f"{name}: {row['state']}, expected {sorted(states)}"
                    )
                if row["sha256"] != expected.sha256[name]:
                    problems["sha256"].append(f"{name}: the row's SHA-256 is not what was sent")
            if len(found) > 1 and name not in expected.doubtful:
                problems["documents"].append(f"{name}: {len(found)} rows for one upload")
        for what, sent, held in (
            ("accuracy", expected.comments, stored.comments),
            ("survey", expected.improve, stored.improve),
        ):
            value = held.get(client.event_id, "")
            if sent and value not in acceptable(sent, ""):
                last = [v for v, ok in sent if ok][-1:]
                problems[what].append(
                    f"client {client.number}: holds {value!r}, last acknowledged {last}"
                )
    return problems


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def trickle(portal: Portal, client: Client) -> None:
    """A 10 MB upload sent 4 KB at a time, 20 times a second, until cancelled (the server
    is killed under it)."""
    boundary = "----portal-load-trickle"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{client.token}\r\n--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="slow upload.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + demo_data.demo_pdf("slow upload", [])
    size = 10 * 1024 * 1024
    cookies = "; ".join(f"{k}={v}" for k, v in client.http.cookies.items())  # type: ignore[union-attr]
    request = (
        f"POST {client.event}/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {size}\r\nCookie: {cookies}\r\nConnection: close\r\n\r\n"
    ).encode()
    _, writer = await asyncio.open_connection("127.0.0.1", portal.port)
    try:
        writer.write(request + head)
        while True:
            writer.write(b"%" + b"0" * 4095)
            await writer.drain()
            await asyncio.sleep(0.05)
    except (asyncio.CancelledError, OSError):
        pass
    finally:
        writer.close()


async def drive(
    portal: Portal,
    settings: Settings,
    clients: int,
    seconds: float,
    crash: bool,
    seed_value: int,
) -> tuple[list[Client], Tally, list[str]]:
    tally = Tally()
    deadline = time.monotonic() + seconds
    crowd = [
        Client(
            number=n,
            base_url=portal.url,
            deadline=deadline,
            tally=tally,
            crash=crash,
            rng=random.Random(seed_value * 1000 + n),
        )
        for n in range(clients)
    ]
    notes: list[str] = []

    async def killer() -> None:
        await asyncio.sleep(seconds * CRASH_AT - 1)
        # Mid-run means while the mix runs: on a busy machine 20 sign-ins at once can
        # take most of a short run, so the kill waits for them (up to 10 s before the end).
        waits = [asyncio.create_task(c.ready.wait()) for c in crowd]
        await asyncio.wait(waits, timeout=max(0, deadline - 11 - time.monotonic()))
        for wait in waits:
            wait.cancel()
        killed_after = seconds - (deadline - time.monotonic()) + 1
        # One upload still streaming in when the kill comes: its unfinished file is
        # what the sweep must find and remove later.
        slow = asyncio.create_task(trickle(portal, crowd[0]))
        await asyncio.sleep(1)
        await asyncio.to_thread(portal.kill)
        killed_at = time.monotonic()
        slow.cancel()
        found = await read_back(settings)
        _, orphans, temps = storage_problems(settings.files_dir, found)
        notes.append(
            f"at the kill: {len(temps)} unfinished upload(s), {len(orphans)} stored file(s) "
            "without a row"
        )
        took = await asyncio.to_thread(portal.start)
        restarted.append(time.monotonic())
        notes.append(
            f"killed (SIGKILL) at {killed_after:.0f} s, answering again "
            f"{time.monotonic() - killed_at:.1f} s later (start-up {took:.1f} s)"
        )

    restarted: list[float] = []
    tasks = [client.run() for client in crowd]
    if crash:
        tasks.append(killer())
    await asyncio.gather(*tasks)
    if restarted:
        after = sum(1 for at in tally.acknowledged_at if at > restarted[0])
        notes.append(f"actions acknowledged after the restart: {after}")
    return crowd, tally, notes


def run_one(
    name: str, work: Path, args: argparse.Namespace, crash: bool, backend: dict[str, str]
) -> Result:
    workers = args.workers or (1 if name == "sqlite" else 2)
    data_dir = work / f"{name}{'-crash' if crash else ''}"
    env = {
        "PORTAL_SECRET_KEY": secrets.token_hex(32),
        "PORTAL_DATABASE_URL": "",
        "PORTAL_REDIS_URL": "",
        "PORTAL_SMTP_URL": "",
        "PORTAL_STORAGE_URL": "",
        "PORTAL_DATA_DIR": str(data_dir),
        # Clients upload hundreds of files to one event in a minute: the per-event file
        # limit (100) would refuse them; the size quota stays as it is.
        "PORTAL_EVENT_MAX_FILES": "100000",
        "PORTAL_STORAGE_GRACE_SECONDS": str(args.grace),
        "PORTAL_SWEEP_SECONDS": str(SWEEP_SECONDS),
        **backend,
    }
    if workers > 1:
        env["PORTAL_REDIS_URL"] = REDIS_URL
    settings = Settings.from_env(
        data_dir=data_dir, database_url=env["PORTAL_DATABASE_URL"], redis_url="", storage_url=""
    )
    data_dir.mkdir(parents=True)
    asyncio.run(seed(settings, args.clients))
    portal = Portal(data_dir=data_dir, workers=workers, env=env)
    files_dir = settings.files_dir
    label = f"{name}, {workers} worker{'s' if workers > 1 else ''}" + (", kill -9" if crash else "")
    result = Result(name=label)
    print(f"{label}: {args.clients} clients for {args.seconds:g} s ...", flush=True)
    portal.start()
    try:
        crowd, tally, notes = asyncio.run(
            drive(portal, settings, args.clients, args.seconds, crash, args.seed)
        )
        result.notes += notes
        if crash:
            # The periodic sweep (every 5 s, grace --grace s) must clear what the kill
            # left: wait for it, reading the database and the folder in turns.
            waited = time.monotonic()
            limit = args.grace + 3 * SWEEP_SECONDS
            while True:
                _, orphans, temps = storage_problems(files_dir, asyncio.run(read_back(settings)))
                if (not orphans and not temps) or time.monotonic() - waited > limit:
                    break
                time.sleep(1)
            result.notes.append(
                f"orphans and unfinished uploads gone {time.monotonic() - waited:.0f} s "
                "after the clients stopped"
                if not orphans and not temps
                else f"still {len(orphans)} orphan(s), {len(temps)} unfinished after {limit} s"
            )
    finally:
        portal.stop()
    stored = asyncio.run(read_back(settings))
    damaged, orphans, temps = storage_problems(files_dir, stored)
    problems = compare(crowd, stored)
    result.actions = sum(len(v) for k, v in tally.latencies.items() if k != "sign-in")
    result.actions += len(tally.errors)
    result.errors = tally.errors
    result.latencies = tally.latencies
    result.retries, result.lost = tally.retries, tally.lost
    must_be_there = sum(
        1 for c in crowd for states in c.expected.files.values() if ABSENT not in states
    )
    rows = len(stored.documents)
    result.checks = {
        f"acknowledged uploads in their expected state ({must_be_there} must be there)": "; ".join(
            problems["documents"][:5]
        ),
        f"SHA-256 of every row and stored file ({rows} rows)": "; ".join(
            (problems["sha256"] + damaged)[:5]
        ),
        "accuracy check: the last acknowledged save (or a later one)": "; ".join(
            problems["accuracy"][:5]
        ),
        "survey: the last acknowledged save (or a later one)": "; ".join(problems["survey"][:5]),
        "no orphan file": f"{len(orphans)} orphan(s)" if orphans else "",
        "no unfinished upload left": f"{len(temps)} left" if temps else "",
    }
    log_text = portal.log.read_text(errors="replace")
    tracebacks = log_text.count("Traceback (most recent call last)")
    # uvicorn's supervisor kills a worker that does not answer its health check in 5 s.
    replaced = len(re.findall(r"Child process \[\d+\] died", log_text))
    swept = [
        sum(int(n) for n in re.findall(rf"removed (\d+) {what}", log_text))
        for what in ("unfinished upload", "stored file")
    ]
    result.notes.append(
        f"the sweep logged: {swept[0]} unfinished upload(s) and {swept[1]} stored file(s) "
        "without a row removed"
    )
    result.notes.append(
        f"server log: {tracebacks} traceback(s), {replaced} worker(s) replaced by the "
        f"supervisor, {len(log_text.splitlines())} lines"
        + (f" ({portal.log})" if args.keep else "")
    )
    return result


# -- the report -----------------------------------------------------------------------


def report(results: list[Result]) -> list[str]:
    lines = [
        "| run | actions | errors | upload p50/p99 ms | save | accuracy | survey | all p50/p99 |",
        "| --- | ---: | ---: | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        cells = []
        for action in ("upload", "save", "accuracy", "survey"):
            values = result.latencies.get(action, [])
            cells.append(
                f"{len(values)}: {statistics.median(values):.0f} / {percentile(values, 0.99):.0f}"
                if values
                else "-"
            )
        every = [v for k, values in result.latencies.items() if k != "sign-in" for v in values]
        total = f"{statistics.median(every):.0f} / {percentile(every, 0.99):.0f}" if every else "-"
        lines.append(
            f"| {result.name} | {result.actions} | {len(result.errors)} | "
            + " | ".join(cells)
            + f" | {total} |"
        )
    for result in results:
        lines.append("")
        lines.append(f"{result.name}:")
        signed_in = result.latencies.get("sign-in", [])
        if signed_in:
            lines.append(
                f"  sign-in (all {len(signed_in)} clients at once): p50 "
                f"{statistics.median(signed_in):.0f} ms, slowest {max(signed_in):.0f} ms"
            )
        for note in result.notes:
            lines.append(f"  {note}")
        if result.retries or result.lost:
            lines.append(
                f"  connections refused while it was down: {result.retries} (retried); "
                f"answers lost to the kill: {result.lost} (in doubt, retried or reloaded)"
            )
        for check, problem in result.checks.items():
            lines.append(
                f"  {'FAIL' if problem else 'ok  '} {check}{': ' + problem if problem else ''}"
            )
        kinds = Counter(error.split(": ", 2)[1] for error in result.errors if ": " in error)
        if result.errors:
            lines.append(f"  FAIL {len(result.errors)} error(s) by action: {dict(kinds)}")
            for error in result.errors[:10]:
                lines.append(f"       {error[:300]}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--crash", action="store_true", help="also: kill -9 mid-run, restart")
    parser.add_argument("--workers", type=int, default=0, help="default: sqlite 1, postgres 2")
    parser.add_argument("--grace", type=int, default=30, help="PORTAL_STORAGE_GRACE_SECONDS")
    parser.add_argument("--seed", type=int, default=16, help="the clients' random choices")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-load-"))
    results: list[Result] = []
    databases: list[str] = []
    try:
        for name in args.backends.split(","):
            for crash in (False, True) if args.crash else (False,):
                backend: dict[str, str] = {}
                if name == "postgres":
                    database_name = f"portal_load_{secrets.token_hex(4)}"
                    asyncio.run(_postgres(f'CREATE DATABASE "{database_name}"'))
                    databases.append(database_name)
                    base = PG_ADMIN_URL.rsplit("/", 1)[0]
                    backend["PORTAL_DATABASE_URL"] = f"{base}/{database_name}"
                    empty_redis()
                elif name != "sqlite":
                    parser.error(f"unknown backend {name!r}")
                results.append(run_one(name, work, args, crash, backend))
                print("\n".join(report(results[-1:])[2:]), flush=True)
    finally:
        if "postgres" in args.backends:
            empty_redis()
        for database_name in databases:
            asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)'))
        if args.keep:
            print(f"data and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("\n".join(report(results)))
    ok = bool(results) and all(result.ok for result in results)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
