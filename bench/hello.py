"""A bare Litestar "hello": the yardstick bench/pages.py measures the portal against.

    .venv/bin/python bench/hello.py --port 8001

Served exactly as `portal serve` serves the portal (uvicorn, one worker, log level
info with the access log on, no proxy headers), so the ratio compares the apps alone."""

from __future__ import annotations

import argparse

import uvicorn
from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> str:
    return "Hello, world!"


app = Litestar([hello], openapi_config=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False)


if __name__ == "__main__":
    main()
