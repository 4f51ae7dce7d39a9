"""What /metrics' request layer (portal.web.metrics.observe) costs a request (run on demand,
not part of the tests; loopback only, under a minute).

    .venv/bin/python bench/metrics_overhead.py [--seconds 2] [--rounds 10]

1. In process: the layer around an ASGI app that answers at once, called 200 000 times,
   against the bare app: microseconds a request, in one process and in multi-process
   mode (PROMETHEUS_MULTIPROC_DIR: each value is a write to a memory-mapped file).
2. Served: bench/hello.py's bare Litestar "hello" under uvicorn as `portal serve` runs it,
   with and without the layer, both up at once, `wrk -t1 -c16` for `--seconds` on each in
   turn, `--rounds` times: the median requests a second and the difference per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CALLS = 200_000


def _in_process() -> None:
    """Run in a child (the multi-process mode is fixed when prometheus_client loads)."""
    from portal.web.metrics import observe

    class Handler:
        name = "bench.hello"

    handler = Handler()
    start = {"type": "http.response.start", "status": 200, "headers": []}
    body = {"type": "http.response.body", "body": b"Hello", "more_body": False}

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        scope["route_handler"] = handler
        await send(start)
        await send(body)

    async def send(message) -> None:  # type: ignore[no-untyped-def]
        return None

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request"}

    async def run(target) -> float:  # type: ignore[no-untyped-def]
        scope = {"type": "http", "path": "/", "method": "GET"}
        began = time.perf_counter()
        for _ in range(CALLS):
            await target(scope, receive, send)
        return (time.perf_counter() - began) / CALLS * 1e6

    async def main() -> None:
        wrapped = observe(app)
        await run(wrapped)  # warm up: children made, code paths hot
        bare = min([await run(app) for _ in range(3)])
        layered = min([await run(wrapped) for _ in range(3)])
        print(f"{bare:.2f} {layered:.2f}")

    asyncio.run(main())


def in_process(multiprocess: bool) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
    shared = tempfile.mkdtemp(prefix="bench-metrics-") if multiprocess else None
    if shared:
        env["PROMETHEUS_MULTIPROC_DIR"] = shared
    else:
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    finally:
        if shared:
            shutil.rmtree(shared, ignore_errors=True)
    return float(out[0]), float(out[1])


def serve(port: int, layered: bool) -> None:
    sys.path.insert(0, str(HERE))
    import uvicorn
    from hello import app

    if layered:
        from portal.web.metrics import observe

        app.asgi_handler = observe(app.asgi_handler)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)


def wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert match, out
    return float(match.group(1))


def served(seconds: int, rounds: int) -> tuple[float, float]:
    """Both servers up at once, wrk on each in turn `rounds` times: the medians (taken in
    turns, so that whatever else the machine does weighs on both alike)."""
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
    ports = {False: 8071, True: 8072}
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port)] + (["--layered"] if layered else []),
            env=env,
        )
        for layered, port in ports.items()
    ]
    results: dict[bool, list[float]] = {False: [], True: []}
    try:
        for port in ports.values():
            url = f"http://127.0.0.1:{port}/"
            for _ in range(100):
                if subprocess.run(["curl", "-fs", url], capture_output=True).returncode == 0:
                    break
                time.sleep(0.1)
            wrk(url, 1)  # warm up
        for _ in range(rounds):
            for layered, port in ports.items():
                results[layered].append(wrk(f"http://127.0.0.1:{port}/", seconds))
    finally:
        for process in processes:
            process.terminate()
            process.wait()
    return statistics.median(results[False]), statistics.median(results[True])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--layered", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _in_process()
    if args.serve:
        return serve(args.serve, args.layered)
    for multiprocess in (False, True):
        bare, layered = in_process(multiprocess)
        mode = "multi-process" if multiprocess else "one process"
        print(
            f"in process, {mode}: bare {bare:.2f} us, with the layer {layered:.2f} us "
            f"(+{layered - bare:.2f} us a request)"
        )
    plain, metered = served(args.seconds, args.rounds)
    print(
        f"served (wrk -t1 -c16, median of {args.rounds}): hello {plain:.0f} req/s, "
        f"with the layer {metered:.0f} req/s "
        f"({(1 / metered - 1 / plain) * 1e6:+.1f} us a request, {metered / plain - 1:+.1%})"
    )


if __name__ == "__main__":
    main()
