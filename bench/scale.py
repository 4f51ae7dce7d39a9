"""Scale-out benchmark (issue 14; run on demand on a quiet machine, not part of the tests).

    .venv/bin/python bench/scale.py [--quick] [--rounds 3] [--duration 10]
                                    [--storage disk,s3] [--file-kb 1024]

On a fresh PostgreSQL database (created here, dropped after; demo data loaded by `portal
demo`) and Redis (database 13 of PORTAL_BENCH_REDIS, emptied before and after):

1. profile: `portal serve --workers 1` and `portal serve --workers 2`, both running side by
   side, measured in turns with wrk (one thread, installed with apt-get if missing): the
   profile page's req/s at 16 connections and its p99 at 4, the median of the rounds.
   Targets: 2 workers give >= 1.6x the req/s of 1; at 4 clients the p99 does not grow.
2. uploads, for each storage (`disk`: one data dir shared by both processes; `s3`: a moto
   server, each process with a data dir of its own): two `portal serve` processes; 10
   clients at once upload 20 files (each client 2, one through each process), one Save,
   then every file is downloaded through the other process and its SHA-256 compared.

`--quick` is a smoke run (1 round of 3 s, 64 KB files). Exit status 0 when every target
is met."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages import Session, ensure_wrk, expect_page, sign_in, wrk  # noqa: E402
from e2e.conftest import Server, free_port, start_server  # noqa: E402

PG_ADMIN_URL = os.environ.get("PORTAL_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PORTAL_BENCH_REDIS", "redis://127.0.0.1:6379/13")
TARGET_RATIO = 1.6  # req/s of 2 workers over 1, at least
TARGET_P99_RATIO = 1.0  # p99 at 4 clients, 2 workers over 1, at most
CLIENTS, FILES = 10, 20
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "portal-bench",
    "AWS_SECRET_ACCESS_KEY": "portal-bench-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
}


# -- the services -----------------------------------------------------------------------


async def _postgres(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def fresh_database() -> tuple[str, str]:
    name = f"portal_bench_{secrets.token_hex(4)}"
    asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    return name, f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_serve(data_dir: Path, workers: int, env: dict[str, str]) -> Server:
    """`portal serve --workers N` on a free port; returns once it answers /healthz."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"serve-{port}.log"
    command = [sys.executable, "-m", "portal.cli", "--data-dir", str(data_dir), "serve"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **env},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _answers(f"{url}/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"portal serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return Server(url=url, data_dir=data_dir, process=process, log=log)


def start_moto(work: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=(work / "moto.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return url, process
        except OSError as error:
            if getattr(error, "code", None) is not None:
                return url, process  # an HTTP error is an answer
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the S3 server (moto) did not start")
        time.sleep(0.1)


def s3_client(endpoint_url: str):  # type: ignore[no-untyped-def]
    import botocore.session

    return botocore.session.get_session().create_client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


# -- 1. the profile page, 1 worker and 2 -----------------------------------------------


@dataclass
class ProfileResult:
    rps: dict[int, float]
    p99: dict[int, float]
    ratio: float
    p99_ratio: float


def worker_cpu(server: Server) -> dict[int, float]:
    """CPU seconds used so far by each of a `serve` supervisor's worker processes."""
    found = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True)
    seconds = {}
    for pid in map(int, found.stdout.split()):
        try:
            if b"spawn_main" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue  # multiprocessing's resource tracker
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def profile_url(server: Server, session: Session) -> str:
    return f"{server.url}/events/{session.event_id}"


def check_profile(
    servers: dict[int, Server], session: Session, rounds: int, seconds: float
) -> ProfileResult:
    headers = session.headers()
    for server in servers.values():
        expect_page(profile_url(server, session), headers, "Oakfield Primary School")
        wrk(profile_url(server, session), headers, 16, 2)  # warm up every worker
    rps: dict[int, list[float]] = {n: [] for n in servers}
    p99: dict[int, list[float]] = {n: [] for n in servers}
    ratios, p99_ratios = [], []
    for round_number in range(1, rounds + 1):
        for workers, server in servers.items():  # in turns: they share the cores
            cpu_before = worker_cpu(server)
            busy = wrk(profile_url(server, session), headers, 16, seconds)
            if workers > 1:  # were both workers busy? (the kernel hands out connections)
                used = {
                    pid: cpu - cpu_before.get(pid, 0) for pid, cpu in worker_cpu(server).items()
                }
                total = sum(used.values()) or 1
                split = " / ".join(f"{100 * cpu / total:.0f}%" for cpu in used.values())
                print(f"  CPU split between the {workers} workers: {split}", flush=True)
            four = wrk(profile_url(server, session), headers, 4, seconds)
            for load in (busy, four):
                if load.errors:
                    raise RuntimeError(f"{workers} worker(s): {load.errors} errors")
            rps[workers].append(busy.rps)
            p99[workers].append(four.p99_ms)
        ratios.append(rps[2][-1] / rps[1][-1])
        p99_ratios.append(p99[2][-1] / p99[1][-1])
        print(
            f"  round {round_number}: 1 worker {rps[1][-1]:.0f} req/s (p99 at 4 clients "
            f"{p99[1][-1]:.1f} ms), 2 workers {rps[2][-1]:.0f} req/s "
            f"(p99 {p99[2][-1]:.1f} ms): {ratios[-1]:.2f}x",
            flush=True,
        )
    return ProfileResult(
        rps={n: statistics.median(v) for n, v in rps.items()},
        p99={n: statistics.median(v) for n, v in p99.items()},
        ratio=statistics.median(ratios),
        p99_ratio=statistics.median(p99_ratios),
    )


# -- 2. uploads through one process, downloads through the other -----------------------


@dataclass
class UploadResult:
    storage: str
    uploaded: int
    matched: int
    seconds: float
    note: str = ""


def csv_file(number: int, size: int) -> bytes:
    header = b"date,provider,measure,value,check\n"
    row = f"2026-11-23,Oakfield Primary School,file {number},97.5,{secrets.token_hex(8)}\n"
    body = row.encode() * (max(size - len(header), len(row)) // len(row))
    return header + body


def _csrf(http: httpx.Client, url: str, cookie: str) -> str:
    page = http.get(url, headers={"Cookie": cookie})
    match = CSRF.search(page.text)
    if match is None:
        raise RuntimeError(f"no CSRF token on {url} ({page.status_code})")
    return match.group(1)


def check_uploads(storage: str, servers: list[Server], file_bytes: int) -> UploadResult:
    session = sign_in(servers[0].url)  # one session: shared through Redis by both
    cookie, event = session.cookie, session.event_id
    screen = f"/events/{event}/documents"
    with httpx.Client(timeout=120) as http:
        token = _csrf(http, servers[0].url + screen, cookie)
    files = {f"scale-{storage}-{n:02d}.csv": csv_file(n, file_bytes) for n in range(FILES)}
    names = list(files)
    through = {name: n % 2 for n, name in enumerate(names)}  # the process it is uploaded to

    def client(number: int) -> list[str]:
        problems = []
        with httpx.Client(timeout=120) as http:
            for name in names[number * 2 : number * 2 + 2]:
                answer = http.post(
                    servers[through[name]].url + screen,
                    headers={"Cookie": cookie},
                    data={"csrf_token": token},
                    files={"file": (name, files[name], "text/csv")},
                )
                if answer.status_code != 303:
                    problems.append(f"{name}: {answer.status_code}")
        return problems

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        problems = [p for found in pool.map(client, range(CLIENTS)) for p in found]
    took = time.perf_counter() - started
    if problems:
        raise RuntimeError(f"uploads refused: {problems[:5]}")
    with httpx.Client(timeout=120) as http:
        saved = http.post(
            servers[1].url + screen + "/save",
            headers={"Cookie": cookie},
            data={"csrf_token": token},
        )
        if saved.status_code != 303:
            raise RuntimeError(f"Save answered {saved.status_code}")
        page = http.get(servers[0].url + screen, headers={"Cookie": cookie}).text
        links = dict(
            (name, href)
            for href, name in re.findall(r'href="([^"]+/download)"[^>]*>([^<]+)</a>', page)
        )
        matched = 0
        for name in names:
            if name not in links:
                print(f"  {name}: not listed after Save")
                continue
            other = servers[1 - through[name]]
            answer = http.get(other.url + links[name], headers={"Cookie": cookie})
            same = hashlib.sha256(answer.content).digest() == hashlib.sha256(files[name]).digest()
            if answer.status_code == 200 and same:
                matched += 1
            else:
                print(f"  {name}: {answer.status_code}, SHA-256 {'same' if same else 'DIFFERENT'}")
    return UploadResult(storage, FILES - len(problems), matched, took)


# -- the run ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--storage", default="disk,s3", help="disk, s3 or both")
    parser.add_argument("--file-kb", type=int, default=1024)
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.duration, args.file_kb = 1, 3, 64
    ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="portal-scale-"))
    name, database_url = fresh_database()
    empty_redis()
    env = {
        "PORTAL_SECRET_KEY": secrets.token_hex(32),
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_REDIS_URL": REDIS_URL,
        "PORTAL_SMTP_URL": "",
        "PORTAL_STORAGE_URL": "",
    }
    running: list[Server] = []
    moto: subprocess.Popen[bytes] | None = None
    uploads: list[UploadResult] = []
    try:
        shared = work / "shared"
        start_server(shared, env=env).stop()  # `portal demo`: migrations and demo data
        print(f"PostgreSQL {name}, Redis {REDIS_URL}, data in {work}", flush=True)

        print("profile page: 1 worker vs 2 workers", flush=True)
        servers = {n: start_serve(shared, n, env) for n in (1, 2)}
        running += servers.values()
        profile = check_profile(servers, sign_in(servers[1].url), args.rounds, args.duration)
        for server in servers.values():
            server.stop()

        for storage in args.storage.split(","):
            print(f"uploads: {FILES} files by {CLIENTS} clients, two processes, {storage}")
            if storage == "s3":
                endpoint, moto = start_moto(work)
                bucket = f"portal-bench-{secrets.token_hex(4)}"
                s3_client(endpoint).create_bucket(Bucket=bucket)
                extra = {
                    **S3_CREDENTIALS,
                    "PORTAL_STORAGE_URL": f"s3://{bucket}/documents",
                    "PORTAL_S3_ENDPOINT_URL": endpoint,
                }
                dirs = [work / "s3-a", work / "s3-b"]  # nothing shared on disk
            else:
                extra, dirs = {}, [shared, shared]
            pair = [start_serve(folder, 1, {**env, **extra}) for folder in dirs]
            running += pair
            result = check_uploads(storage, pair, args.file_kb * 1024)
            if storage == "s3":
                listed = s3_client(endpoint).list_objects_v2(Bucket=bucket).get("KeyCount", 0)
                if listed < FILES:
                    result.note = f"only {listed} objects in the bucket: S3 storage not in use"
            uploads.append(result)
            print(
                f"  {result.uploaded} uploaded in {result.seconds:.1f} s, "
                f"{result.matched} of {FILES} downloaded through the other process with the "
                f"same SHA-256 {result.note}",
                flush=True,
            )
            for server in pair:
                server.stop()
    finally:
        for server in running:
            server.stop()
        if moto is not None:
            moto.terminate()
        empty_redis()
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(
        f"profile req/s: 1 worker {profile.rps[1]:.0f}, 2 workers {profile.rps[2]:.0f}: "
        f"{profile.ratio:.2f}x (target >= {TARGET_RATIO})"
    )
    print(
        f"profile p99 at 4 clients: 1 worker {profile.p99[1]:.1f} ms, 2 workers "
        f"{profile.p99[2]:.1f} ms: {profile.p99_ratio:.2f}x (target <= {TARGET_P99_RATIO})"
    )
    for result in uploads:
        print(f"uploads ({result.storage}): {result.matched}/{FILES} intact {result.note}")
    ok = (
        profile.ratio >= TARGET_RATIO
        and profile.p99_ratio <= TARGET_P99_RATIO
        and all(r.matched == FILES and not r.note for r in uploads)
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
