"""Static files as the best GOV.UK services ship them.

At start-up every file under static/ gets a copy named after its content
(`css/portal.css` → `css/portal.3f9c0b1d2e4a.css`) in a writable build directory, with
brotli and gzip siblings made once at the highest level. servestatic serves them: the
variant the browser accepts (`Vary: Accept-Encoding`), ETag/Last-Modified, Range and HEAD.
A hashed name never changes its content, so it is cached for a year as immutable; the
plain names still answer (old links, tests) but must be revalidated (`no-cache`).

Built at start-up rather than committed: static/ may be read-only where the portal runs,
and a hashed copy can never go stale against the file someone just edited."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from wsgiref.headers import Headers

import brotli
import rcssmin
import rjsmin
from litestar import asgi
from litestar.exceptions import NotFoundException
from litestar.handlers import ASGIRouteHandler
from litestar.types import Receive, Scope, Send
from servestatic import ServeStaticASGI

from portal.web.compression import NOT_COMPRESSED

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # an unhashed name: the browser asks again (ETag → 304)
COMPRESSIBLE = {".css", ".js", ".mjs", ".svg", ".json", ".txt", ".map"}

# A relative module specifier in `import … from "./x.js"`, `import "./x.js"`,
# `export … from "./x.js"` or `import("./x.js")`: rewritten to the hashed name, or the
# browser would fetch the unhashed (revalidated) file on every view.
_MODULE_SPECIFIER = re.compile(
    r"""(?P<lead>\bimport\s*\(\s*|\bimport\s*|\bfrom\s*)(?P<q>["'])(?P<spec>\.{1,2}/[^"'\s]+)(?P=q)"""
)

# brotli at quality 11 takes ~0.1 s for the GOV.UK stylesheet: done once per process
# and content, not once per app (the tests build an app per test).
_compressed: dict[tuple[str, str], bytes] = {}


def minified(path: str, content: bytes) -> bytes:
    """Our own scripts and stylesheets without their comments and indentation (the
    vendored files come minified): about a third less on the wire, brotli or not. The
    plain names keep the source as written."""
    pure = PurePosixPath(path)
    if pure.parts[0] == "vendor" or ".min." in pure.name:
        return content
    if pure.suffix in {".js", ".mjs"}:
        return rjsmin.jsmin(content.decode("utf-8")).encode("utf-8")
    if pure.suffix == ".css":
        return rcssmin.cssmin(content.decode("utf-8")).encode("utf-8")
    return content


def hashed_name(path: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:12]
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}.{digest}{pure.suffix}"))


def _imports(path: str, content: bytes) -> list[str]:
    """The files under static/ that a JavaScript module imports by relative path."""
    if PurePosixPath(path).suffix not in {".js", ".mjs"}:
        return []
    base = PurePosixPath(path).parent
    text = content.decode("utf-8", errors="replace")
    return [
        os.path.normpath(str(base / match["spec"])) for match in _MODULE_SPECIFIER.finditer(text)
    ]


def _rewrite_imports(path: str, content: bytes, hashed: dict[str, str]) -> bytes:
    base = PurePosixPath(path).parent

    def replace(match: re.Match[str]) -> str:
        target = os.path.normpath(str(base / match["spec"]))
        if target not in hashed:
            return match[0]
        relative = os.path.relpath(hashed[target], str(base) or ".")
        spec = relative if relative.startswith("../") else f"./{relative}"
        return f"{match['lead']}{match['q']}{spec}{match['q']}"

    return _MODULE_SPECIFIER.sub(replace, content.decode("utf-8")).encode("utf-8")


def _compress(content: bytes, encoding: str) -> bytes:
    key = (hashlib.sha256(content).hexdigest(), encoding)
    if key not in _compressed:
        if encoding == "br":
            _compressed[key] = brotli.compress(content, quality=11, mode=brotli.MODE_TEXT)
        else:
            _compressed[key] = gzip.compress(content, compresslevel=9, mtime=0)
    return _compressed[key]


def _write_once(path: Path, content: bytes) -> None:
    """A hashed name's content is fixed: skip it if there; else write atomically
    (several workers may build the same directory at once)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temp, path)


def build(source_dir: Path, build_dir: Path) -> dict[str, str]:
    """Write the hashed copies and their .br/.gz siblings; return {path: hashed path}."""
    files = [
        file
        for file in sorted(source_dir.rglob("*"))
        if file.is_file() and not file.name.startswith(".")
    ]
    sources = {
        path: minified(path, file.read_bytes())
        for file in files
        for path in [file.relative_to(source_dir).as_posix()]
    }
    hashed: dict[str, str] = {}
    outputs: dict[str, bytes] = {}

    def visit(path: str, chain: tuple[str, ...]) -> None:
        if path in hashed:
            return
        if path in chain:
            raise ValueError(f"static modules import each other: {' → '.join((*chain, path))}")
        imports = [name for name in _imports(path, sources[path]) if name in sources]
        for dependency in imports:  # hashed first, so this file can name their hashes
            visit(dependency, (*chain, path))
        content = _rewrite_imports(path, sources[path], hashed) if imports else sources[path]
        hashed[path] = hashed_name(path, content)
        outputs[hashed[path]] = content

    for path in sources:
        visit(path, ())
    for name, content in outputs.items():
        target = build_dir / name
        _write_once(target, content)
        if target.suffix in COMPRESSIBLE:
            for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
                packed = _compress(content, encoding)
                if len(packed) < len(content) * 0.95:  # not worth a variant otherwise
                    _write_once(target.with_name(target.name + suffix), packed)
    return hashed


@dataclass
class StaticFiles:
    """The manifest and the ASGI app that serves both directories under `prefix`."""

    prefix: str
    hashed: dict[str, str]
    app: ServeStaticASGI

    def url(self, path: str) -> str:
        """The URL templates use: `static("css/portal.css")`. An unknown name is a bug in a
        template, so it fails the page (and its test) instead of linking to a 404."""
        return f"{self.prefix}/{self.hashed[path]}"


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    raise NotFoundException()  # the service's own 404 page


def static_files(source_dir: Path, build_dir: Path, prefix: str) -> StaticFiles:
    hashed = build(source_dir, build_dir)
    immutable_urls = {f"{prefix}/{name}" for name in hashed.values()}

    def cache_headers(headers: Headers, path: str, url: str) -> None:
        headers["Cache-Control"] = IMMUTABLE if url in immutable_urls else REVALIDATE

    app = ServeStaticASGI(
        _not_found,
        max_age=None,
        allow_all_origins=False,  # same-origin pages only
        add_headers_function=cache_headers,
    )
    app.add_files(source_dir, prefix=prefix)  # plain names: old links, revalidated
    app.add_files(build_dir, prefix=prefix)  # hashed names with their .br/.gz
    return StaticFiles(prefix=prefix, hashed=hashed, app=app)


def route(files: StaticFiles) -> ASGIRouteHandler:
    """The Litestar mount (named "static") that hands every path under the prefix to
    servestatic; the app's hooks (security headers) still run around it."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        # Litestar strips the mount's prefix from scope["path"]; put it back so that
        # servestatic matches full URLs and the hooks and logs see the real path.
        scope["path"] = files.prefix + scope["path"]
        await files.app(scope, receive, send)

    return asgi(
        files.prefix,
        is_static=True,
        copy_scope=False,
        name="static",
        opt={NOT_COMPRESSED: True},  # brotli/gzip already on disk
    )(serve)
