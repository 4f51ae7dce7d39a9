"""The deployment, as real programs: two `portal serve --workers 2` processes (two
machines) on one PostgreSQL database, one Redis and one S3 bucket. A provider signs in,
uploads, saves, downloads, completes the accuracy check and the survey, each request sent
to the other process than the one before, every form sent with the CSRF token of a page
the other process rendered: no CSRF or session failure anywhere."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path

import httpx
import pytest

from tests.conftest import REDIS_URL, fresh_postgres
from tests.deploy.forms import form_to, link
from tests.deploy.servers import Server, portal_env, serving, start
from tests.s3 import Bucket, s3_bucket, s3_server  # noqa: F401  (fixtures)

PASSWORD = "Portal2026demo"


@pytest.fixture
def deploy_database() -> Iterator[str]:
    """A database of its own, created and dropped here (the servers run the migrations)."""
    with fresh_postgres("portal_deploy") as url:
        yield url


@pytest.fixture
def deployment(
    tmp_path: Path,
    deploy_database: str,
    s3_bucket: Bucket,  # noqa: F811
) -> Iterator[tuple[Server, Server]]:
    redis_db = REDIS_URL.rsplit("/", 1)[0] + "/13"  # not the other tests' database
    env = portal_env(
        tmp_path / "data",
        PORTAL_DATABASE_URL=deploy_database,
        PORTAL_REDIS_URL=redis_db,
        PORTAL_SMTP_URL="",
        **s3_bucket.env,
    )
    # The demo data, loaded by `portal demo` into the same database and bucket.
    demo_data = start(env, tmp_path / "demo.log", command="demo")
    assert demo_data.stop() in (0, -15)  # uvicorn exits by the signal it was stopped with
    with (
        serving(env, tmp_path / "a.log", "--workers", "2") as first,
        serving(env, tmp_path / "b.log", "--workers", "2") as second,
    ):
        yield first, second
    for log in ("a.log", "b.log"):  # each program logged, and nothing went wrong
        text = (tmp_path / log).read_text()
        assert "Traceback" not in text, text


class Alternating:
    """One browser (one cookie jar) whose every request goes to the next server."""

    def __init__(self, servers: tuple[Server, Server]) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=30)
        self.next = cycle(servers)
        self.statuses: list[tuple[str, str, int]] = []

    def send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        server = next(self.next)
        response = self.http.request(method, server.url + path, **kwargs)  # type: ignore[arg-type]
        self.statuses.append((method, path, response.status_code))
        assert "Your form could not be sent" not in response.text, (method, path)
        assert not response.headers.get("location", "").startswith("/sign-in"), (method, path)
        assert response.status_code < 400, (method, path, response.status_code, response.text)
        return response

    def get(self, path: str) -> httpx.Response:
        return self.send("GET", path)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """The page a 303 leads to (through any further redirects)."""
        assert response.status_code == 303, (response.status_code, response.text[:500])
        while response.status_code in (302, 303):
            response = self.get(response.headers["location"])
        return response


@pytest.mark.redis
def test_two_servers_of_two_workers_share_sessions_forms_and_files(
    deployment: tuple[Server, Server],
    s3_bucket: Bucket,  # noqa: F811
) -> None:
    for server in deployment:  # each is ready: PostgreSQL, Redis and the bucket answer
        ready = httpx.get(f"{server.url}/readyz")
        assert ready.status_code == 200
        assert ready.text.splitlines() == ["ready", "database: ok", "storage: ok", "redis: ok"]
    browser = Alternating(deployment)

    # Sign in: the form from one server, sent to the other.
    page = browser.get("/sign-in").text
    form = form_to(page, "/sign-in")
    signed_in = browser.send(
        "POST", "/sign-in", data=form.data(username="provider", password=PASSWORD)
    )
    landing = browser.follow(signed_in)  # a provider with one event lands on its profile
    profile_path = landing.url.path
    profile = landing.text
    assert "Oakfield Primary School" in profile and "Sign out" in profile

    # Upload a document, Save, and download it through each server.
    documents_path = link(profile, "Upload or delete a document")
    page = browser.get(documents_path).text
    upload = form_to(page, documents_path)
    content = secrets.token_bytes(300_000)
    uploaded = browser.send(
        "POST",
        documents_path,
        data=upload.data(kind="other"),
        files={"file": ("minutes.pdf", b"%PDF-1.4\n" + content, "application/pdf")},
    )
    page = browser.follow(uploaded).text
    assert "minutes.pdf" in page
    save = form_to(page, f"{documents_path}/save")
    profile = browser.follow(browser.send("POST", save.action, data=save.data())).text
    assert "Your changes to the documents have been saved" in profile
    download = link(profile, "minutes.pdf")
    expected = hashlib.sha256(b"%PDF-1.4\n" + content).hexdigest()
    for _ in deployment:
        assert hashlib.sha256(browser.get(download).content).hexdigest() == expected
    assert s3_bucket.keys(), "the document is stored in the bucket, not on a local disk"

    # The factual accuracy check: saved on one server, Done on the other.
    check_path = link(profile, "Factual accuracy check")
    check = form_to(browser.get(check_path).text, check_path)
    comment = "Paragraph 4: 212 pupils on roll, not 221."
    saved = browser.send(
        "POST",
        check_path,
        data=check.data("Save and come back later", wants_to_comment="yes", comments=comment),
    )
    page = browser.follow(saved).text
    assert comment in page
    done = form_to(page, check_path)
    finished = browser.send("POST", check_path, data=done.data("Done", confirmed="yes"))
    assert finished.status_code in (200, 303)

    # The survey.
    survey_path = link(browser.get(profile_path).text, "Survey")
    survey = form_to(browser.get(survey_path).text, survey_path)
    answered = browser.send(
        "POST",
        survey_path,
        data=survey.data("Save", rating_feedback="agree", why="The feedback meetings."),
    )
    assert "Your survey answers have been saved" in browser.follow(answered).text

    posts = [s for s in browser.statuses if s[0] == "POST"]
    assert len(posts) >= 6 and all(status in (200, 303) for _, _, status in posts), posts
