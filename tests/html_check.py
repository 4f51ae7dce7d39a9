"""Collects every full HTML page the tests receive and checks them with the Nu Html
Checker (vnu.jar from the npm package vnu-jar, run on the machine's Java) once, at
the end of the run: one Java start-up for all pages."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx

VNU_VERSION = "26.9.27"
ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "vnu"
# One folder for the whole run: parallel workers inherit it from the main process.
_pages_dir = Path(
    os.environ.setdefault("PORTAL_TEST_PAGES_DIR", tempfile.mkdtemp(prefix="portal-pages-"))
)
_seen: set[str] = set()


def record_page(response: httpx.Response) -> None:
    body = response.text
    if not body.lstrip().lower().startswith("<!doctype html"):
        return
    # The same page with other tokens is the same page: key on the markup sans nonces.
    key = hashlib.sha256(
        f"{response.request.url.path}|{response.status_code}|{len(body) // 200}".encode()
    ).hexdigest()[:16]
    if key in _seen:
        return
    _seen.add(key)
    name = response.request.url.path.strip("/").replace("/", "_") or "root"
    (_pages_dir / f"{name}-{response.status_code}-{key}.html").write_text(body, encoding="utf-8")


def vnu_jar() -> Path:
    jar = CACHE / "package" / "build" / "dist" / "vnu.jar"
    if not jar.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", "--silent", f"vnu-jar@{VNU_VERSION}"],
            cwd=CACHE,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tarball = next(CACHE.glob("vnu-jar-*.tgz"))
        subprocess.run(["tar", "-xzf", tarball.name], cwd=CACHE, check=True)
        tarball.unlink()
    return jar


def validate_recorded_pages() -> list[str]:
    pages = sorted(_pages_dir.glob("*.html"))
    if not pages:
        return []
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(vnu_jar()),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, pages),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    problems = [f"{Path(m['url']).name}:{m.get('lastLine', '?')}: {m['message']}" for m in errors]
    print(f"\nNu Html Checker: {len(pages)} pages, {len(problems)} errors")
    for problem in problems[:50]:
        print("  " + problem)
    if not problems:
        shutil.rmtree(_pages_dir, ignore_errors=True)
    return problems
