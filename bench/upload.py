"""Upload benchmark (run on demand, not part of the test suite).

    .venv/bin/python bench/upload.py [--size-mb 1000] [--runs 3] [--dir /some/disk]

Starts `portal demo` with a raised upload limit; then, in each run, measures the
disk's own write speed (write + fsync of a file of the same size, in the same
directory) and right after it uploads a file of that size (a valid CSV generated on
the fly, never held whole in memory on either side) as the provider, over a plain
socket, then cancels it. It prints each run and:

- the median of the runs' throughput ratios, upload over disk (target: at least 0.5);
- the largest peak RSS growth of the server during an upload (target: at most 32 MB),
  from /proc/<pid>/status (VmHWM, reset before each upload via /proc/<pid>/clear_refs).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from e2e.conftest import DEMO_PASSWORD, start_server  # noqa: E402

MB = 1000 * 1000
BLOCK = 1024 * 1024
TARGET_RATIO = 0.5
TARGET_RSS_MB = 32


def csv_block() -> bytes:
    """1 MiB of CSV rows (a header is sent once, before the blocks)."""
    row = b"2026-11-23,Oakfield Primary School,Year 4,attendance,97.5,on track\n"
    block = row * (BLOCK // len(row) + 1)
    return block[: block.rfind(b"\n", 0, BLOCK) + 1]


def csv_stream(size: int):
    header = b"date,provider,group,measure,value,note\n"
    yield header
    sent = len(header)
    block = csv_block()
    while sent < size:
        chunk = block if size - sent >= len(block) else b"x" * (size - sent - 1) + b"\n"
        yield chunk
        sent += len(chunk)


def disk_speed(directory: Path, size: int) -> float:
    """Bytes per second for write + fsync of `size` bytes in `directory`."""
    path = directory / "disk-speed.tmp"
    started = time.perf_counter()
    with path.open("wb") as out:
        for chunk in csv_stream(size):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    path.unlink()
    return size / elapsed


def status_kb(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def sign_in(base_url: str) -> tuple[httpx.Client, int, str]:
    http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    page = http.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    http.post(
        "/sign-in", data={"csrf_token": token, "username": "provider", "password": DEMO_PASSWORD}
    )
    event_id = int(http.get("/events").headers["location"].rsplit("/", 1)[-1])
    page = http.get(f"/events/{event_id}/documents")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return http, event_id, token


def upload(
    url: str, http: httpx.Client, event_id: int, token: str, size: int
) -> tuple[float, bytes]:
    boundary = "----portalbench"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="benchmark.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    cookies = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    request = (
        f"POST /events/{event_id}/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + size + len(tail)}\r\nCookie: {cookies}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    port = int(url.rsplit(":", 1)[-1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        sock.sendall(request + head)
        for chunk in csv_stream(size):
            sock.sendall(chunk)
        sock.sendall(tail)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
        elapsed = time.perf_counter() - started
    return elapsed, response.split(b"\r\n", 1)[0]


def cancel(http: httpx.Client, event_id: int, token: str) -> None:
    """Drop the staged upload, so the next run starts from the same event quota."""
    answer = http.post(f"/events/{event_id}/documents/cancel", data={"csrf_token": token})
    if "have+been+cancelled" not in answer.headers.get("location", ""):
        raise RuntimeError(f"cancel failed: {answer.status_code} {answer.headers}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1000, help="upload size in MB (10^6 bytes)")
    parser.add_argument(
        "--runs", type=int, default=3, help="disk + upload pairs; the median counts"
    )
    parser.add_argument("--dir", default=None, help="where the server keeps its data")
    args = parser.parse_args()
    size = args.size_mb * MB
    work = Path(tempfile.mkdtemp(prefix="portal-bench-", dir=args.dir))
    data_dir = work / "portal"
    limits = {
        "PORTAL_UPLOAD_MAX_BYTES": str(size + BLOCK),
        "PORTAL_EVENT_QUOTA_BYTES": str(size + BLOCK),
    }
    server = start_server(data_dir, env=limits)
    ratios: list[float] = []
    growths: list[float] = []
    all_stored = True
    try:
        files_dir = data_dir / "files"
        files_dir.mkdir(parents=True, exist_ok=True)
        http, event_id, token = sign_in(server.url)
        pid = server.process.pid
        for run in range(1, args.runs + 1):
            # The disk is measured right before each upload: its speed drifts on a
            # shared machine, and each ratio compares two measurements taken together.
            disk = disk_speed(files_dir, size)
            rss_before = status_kb(pid, "VmRSS")
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM back to current RSS
            except OSError:
                print("(could not reset VmHWM: growth is measured from start-up's peak)")
            elapsed, status_line = upload(server.url, http, event_id, token, size)
            peak = status_kb(pid, "VmHWM")
            stored = any(p.stat().st_size == size for p in files_dir.iterdir())
            all_stored = all_stored and stored
            cancel(http, event_id, token)
            speed = size / elapsed
            ratios.append(speed / disk)
            growths.append(max(peak - rss_before, 0) / 1024)
            print(
                f"run {run}: disk write+fsync {disk / MB:6.1f} MB/s, "
                f"upload {speed / MB:6.1f} MB/s ({elapsed:.1f} s, "
                f"{status_line.decode(errors='replace')}, stored: {'yes' if stored else 'NO'}), "
                f"ratio {speed / disk:.2f}, peak RSS growth {growths[-1]:.1f} MB",
                flush=True,
            )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    ratio = statistics.median(ratios)
    growth = max(growths)
    print(f"throughput ratio (median of {len(ratios)}): {ratio:.2f}  (target >= {TARGET_RATIO})")
    print(f"server peak RSS growth (largest): {growth:.1f} MB  (target <= {TARGET_RSS_MB} MB)")
    ok = all_stored and ratio >= TARGET_RATIO and growth <= TARGET_RSS_MB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
