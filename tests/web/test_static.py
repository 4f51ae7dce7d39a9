"""Static files as the best GOV.UK services ship them, HTML compressed on the way out,
and only the scripts a page uses. What is asserted is what a browser receives."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import govuk_frontend_jinja
import httpx
import pytest

from portal.settings import Settings
from portal.web.static import build, hashed_name, minified
from tests.client import PortalClient
from tests.factories import Factory

HASHED = re.compile(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.[a-z]+)"')
STATIC = Settings().static_dir


def static_urls(html: str) -> list[str]:
    return HASHED.findall(html)


async def raw_body(client: PortalClient, url: str, encoding: str) -> httpx.Response:
    request = client.http.build_request("GET", url, headers={"Accept-Encoding": encoding})
    response = await client.http.send(request, stream=True)
    response.raw_bytes = b"".join([chunk async for chunk in response.aiter_raw()])  # type: ignore[attr-defined]
    await response.aclose()
    return response


async def test_pages_link_static_files_by_hashed_name(client: PortalClient) -> None:
    page = await client.get("/sign-in")
    urls = static_urls(page.text)
    names = {re.sub(r"\.[0-9a-f]{12}\.", ".", url) for url in urls}
    assert {
        "/static/vendor/govuk-frontend/govuk-frontend.min.css",
        "/static/css/portal.css",
        "/static/images/favicon.svg",
        "/static/vendor/htmx/htmx.min.js",  # the sign-in form is sent with htmx
        "/static/js/portal.js",
    } <= names
    assert "/static/css/portal.css" not in page.text  # never the plain name


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("br, gzip, deflate", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        ("identity", None, lambda body: body),
    ],
)
async def test_hashed_files_are_immutable_and_precompressed(
    client: PortalClient, accept: str, encoding: str | None, decode: object
) -> None:
    page = await client.get("/sign-in")
    css = next(url for url in static_urls(page.text) if "govuk-frontend.min." in url)
    response = await raw_body(client, css, accept)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/css")
    assert "accept-encoding" in response.headers["vary"].lower()
    assert response.headers.get("content-encoding") == encoding
    body = response.raw_bytes  # type: ignore[attr-defined]
    assert int(response.headers["content-length"]) == len(body)
    original = (STATIC / "vendor/govuk-frontend/govuk-frontend.min.css").read_bytes()
    assert decode(body) == original  # type: ignore[operator]
    if encoding == "br":  # what the issue is about: 123 KB → about 12 KB
        assert len(body) < len(original) / 8


async def test_a_module_imports_the_hashed_name_of_what_it_imports(client: PortalClient) -> None:
    # Else a repeat view would ask for the unhashed govuk-frontend.min.js again.
    page = await client.get("/sign-in")
    portal_js = next(url for url in static_urls(page.text) if "/js/portal." in url)
    script = (await client.get(portal_js)).text
    imported = re.search(r'from\s*"(\.\./vendor/govuk-frontend/[^"]+)"', script)
    assert imported, script[:300]
    url = httpx.URL(f"http://x{portal_js}").join(imported.group(1)).path
    assert re.search(r"govuk-frontend\.min\.[0-9a-f]{12}\.js$", url)
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_plain_and_unknown_names_are_never_cached_for_a_year(client: PortalClient) -> None:
    plain = await client.get("/static/css/portal.css")
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == "no-cache"
    again = await client.get(
        "/static/css/portal.css", headers={"If-None-Match": plain.headers["etag"]}
    )
    assert again.status_code == 304
    # A hashed-looking name that the build did not make is not immutable either.
    for path in ["/static/css/portal.0123456789ab.css", "/static/css/nothing.css"]:
        missing = await client.get(path)
        assert missing.status_code == 404
        assert "immutable" not in missing.headers["cache-control"]
        assert "Page not found" in missing.text


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        ("/accessibility", "br, gzip", "br"),
        ("/accessibility", "gzip", "gzip"),
        ("/accessibility", "identity", None),
        # A kept page (portal.web.page_cache): made, brotli; then its kept gzip.
        ("/sign-in", "br, gzip", ["br", "gzip"]),
        ("/sign-in", "br", ["br", "br"]),
        ("/sign-in", "identity", [None, None]),
    ],
)
async def test_html_is_compressed_when_the_browser_accepts_it(
    client: PortalClient, path: str, accept: str, expected: object
) -> None:
    answers = expected if isinstance(expected, list) else [expected, expected]
    for expected in answers:
        response = await raw_body(client, path, accept)
        assert response.status_code == 200
        assert response.headers.get("content-encoding") == expected
        if expected:
            assert "accept-encoding" in response.headers["vary"].lower()
        decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[expected]
        assert b"<h1" in decode(response.raw_bytes)  # type: ignore[attr-defined]


async def test_htmx_fragments_are_compressed_too(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    for number in range(12):
        await make.document(world.event, world.provider_user, file_name=f"report-{number}.pdf")
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/documents"
    request = client.http.build_request(
        "GET", url, headers={"Accept-Encoding": "br", "HX-Request": "true"}
    )
    response = await client.http.send(request)
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == "br"
    assert response.text.lstrip().startswith('<div id="document-list">')


async def test_a_document_download_is_sent_as_stored(client: PortalClient, make: Factory) -> None:
    world = await make.world()
    content = b"minutes of the meeting\n" * 2000  # would compress very well
    document = await make.document(
        world.event,
        world.provider_user,
        file_name="minutes.txt",
        content=content,
        content_type="text/plain",
    )
    await client.sign_in_as(world.provider_user)
    url = f"/events/{world.event.id}/documents/{document.id}/download"
    response = await raw_body(client, url, "br, gzip")
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.raw_bytes == content  # type: ignore[attr-defined]


async def test_a_page_loads_only_the_scripts_it_uses(client: PortalClient, make: Factory) -> None:
    # A page of text and links: no script at all.
    text = await client.get("/accessibility")
    assert text.status_code == 200
    assert "<script src=" not in text.text and 'type="module"' not in text.text
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    # The documents page uploads with htmx: htmx, GOV.UK Frontend (via portal.js), its own.
    documents = await client.get(f"/events/{world.event.id}/documents")
    scripts = " ".join(static_urls(documents.text))
    assert "/vendor/htmx/htmx.min." in scripts
    assert "/js/portal." in scripts
    assert "/js/documents." in scripts


def test_hashes_follow_content_and_imports(tmp_path: Path) -> None:
    source = tmp_path / "static"
    (source / "js").mkdir(parents=True)
    (source / "js" / "lib.js").write_text("export const a = 1;\n")
    (source / "js" / "main.js").write_text('import { a } from "./lib.js";\nconsole.log(a);\n')
    first = build(source, tmp_path / "one")
    lib = minified("js/lib.js", b"export const a = 1;\n")
    assert first["js/lib.js"] == hashed_name("js/lib.js", lib)
    main = (tmp_path / "one" / first["js/main.js"]).read_text()
    assert f'from"./{Path(first["js/lib.js"]).name}"' in main
    # Changing only the imported file changes the importer's name too.
    (source / "js" / "lib.js").write_text("export const a = 2;\n")
    second = build(source, tmp_path / "two")
    assert second["js/lib.js"] != first["js/lib.js"]
    assert second["js/main.js"] != first["js/main.js"]
    # Small files get no compressed variant (not worth one); large text files get both.
    assert not (tmp_path / "two" / (second["js/lib.js"] + ".br")).exists()
    (source / "big.css").write_text("body { color: red; }\n" * 200)
    third = build(source, tmp_path / "three")
    assert (tmp_path / "three" / (third["big.css"] + ".br")).exists()
    assert (tmp_path / "three" / (third["big.css"] + ".gz")).exists()


def test_our_scripts_and_stylesheets_are_minified_and_vendored_ones_left_alone(
    tmp_path: Path,
) -> None:
    source = tmp_path / "static"
    (source / "js").mkdir(parents=True)
    (source / "vendor").mkdir()
    script = "// Why this waits.\nconst message = `Sign in   again`;\nexport { message };\n"
    (source / "js" / "a.js").write_text(script)
    (source / "css").mkdir()
    (source / "css" / "a.css").write_text("/* why */\n.portal-x {\n  color: red;\n}\n")
    (source / "vendor" / "v.js").write_text("// kept as fetched\nvar v = 1;\n")
    built = build(source, tmp_path / "out")
    out = {path: (tmp_path / "out" / name).read_text() for path, name in built.items()}
    assert out["js/a.js"] == "const message=`Sign in   again`;export{message};"
    assert out["css/a.css"] == ".portal-x{color:red}"
    assert out["vendor/v.js"] == "// kept as fetched\nvar v = 1;\n"
    assert (source / "js" / "a.js").read_text() == script  # the plain name: as written


def test_modules_that_import_each_other_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "static"
    source.mkdir()
    (source / "a.js").write_text('import "./b.js";\n')
    (source / "b.js").write_text('import "./a.js";\n')
    with pytest.raises(ValueError, match="import each other"):
        build(source, tmp_path / "out")


def test_every_govuk_component_a_template_uses_has_its_javascript(settings: Settings) -> None:
    """static/vendor/govuk-frontend/govuk-frontend.min.js holds only some components
    (scripts/govuk-frontend.mjs): a template using another would silently lose its JS."""
    entry = (Path(__file__).parents[2] / "scripts" / "govuk-frontend.mjs").read_text()
    bundled = {
        re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()
        for name in re.findall(r"^\s+\[(\w+)", entry, re.MULTILINE)
    }
    components = Path(govuk_frontend_jinja.__file__).parent / "templates" / "components"
    with_javascript = {
        folder.name
        for folder in components.iterdir()
        if 'data-module="govuk-' in (folder / "macro.html").read_text()
    }
    templates = "\n".join(p.read_text() for p in settings.templates_dir.rglob("*.html"))
    used = set(re.findall(r"govuk_frontend_jinja/components/([a-z-]+)/macro\.html", templates))
    used.add("skip-link")  # GOV.UK's page template
    if '"javascript": true' not in templates.replace("'javascript': true", '"javascript": true'):
        used.discard("file-upload")  # its JavaScript is only for the enhanced drop zone
    missing = (used & with_javascript) - bundled
    assert not missing, f"add to scripts/govuk-frontend.mjs and run scripts/vendor.sh: {missing}"
    shipped = (settings.static_dir / "vendor/govuk-frontend/govuk-frontend.min.js").read_text()
    assert "scripts/govuk-frontend.mjs" in shipped  # the bundle, not GOV.UK's whole file
