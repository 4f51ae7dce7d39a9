"""A provider's work through a running portal, as a browser without JavaScript does it
(real forms, real CSRF tokens), and a second provider who keeps uploading and saving
while a backup is taken."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field

import httpx

from tests.deploy.forms import form_to, link

PASSWORD = "Portal2026demo"
COMMENT = "Paragraph 4: 212 pupils on roll, not 221."


class Browser:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=60)

    def get(self, path: str) -> httpx.Response:
        response = self.http.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        response = self.http.post(path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code in (200, 303), (path, response.status_code, response.text)
        return response

    def follow(self, response: httpx.Response) -> httpx.Response:
        while response.status_code in (302, 303):
            response = self.http.get(response.headers["location"])
        assert response.status_code == 200, response.status_code
        return response

    def sign_in(self, username: str) -> str:
        """Signs in; the path of the page the user lands on (a provider: the profile)."""
        form = form_to(self.get("/sign-in").text, "/sign-in")
        landing = self.follow(
            self.post("/sign-in", data=form.data(username=username, password=PASSWORD))
        )
        assert "Sign out" in landing.text
        return landing.url.path

    def upload_and_save(self, profile_path: str, files: dict[str, bytes]) -> str:
        """Uploads every file, then Save; the profile page after."""
        documents = link(self.get(profile_path).text, "Upload or delete a document")
        for name, content in files.items():
            upload = form_to(self.get(documents).text, documents)
            self.follow(
                self.post(
                    documents,
                    data=upload.data(kind="other"),
                    files={"file": (name, content, "application/pdf")},
                )
            )
        save = form_to(self.get(documents).text, f"{documents}/save")
        profile = self.follow(self.post(save.action, data=save.data())).text
        assert "Your changes to the documents have been saved" in profile
        return profile

    def complete_accuracy_check(self, profile_path: str) -> None:
        check = link(self.get(profile_path).text, "Factual accuracy check")
        form = form_to(self.get(check).text, check)
        saved = self.post(
            check,
            data=form.data("Save and come back later", wants_to_comment="yes", comments=COMMENT),
        )
        page = self.follow(saved).text
        assert COMMENT in page
        done = form_to(page, check)
        self.post(check, data=done.data("Done", confirmed="yes"))


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + secrets.token_bytes(size)


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class Hammer:
    """provider2 uploading and saving in a loop, and reading the profile, until stopped:
    the database and the store are written to while the backup runs."""

    url: str
    requests: list[tuple[float, float, str]] = field(default_factory=list)  # start, end, kind
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            browser = Browser(self.url)
            profile = browser.sign_in("provider2")
            round_ = 0
            while not self.stop.is_set():
                round_ += 1
                started = time.monotonic()
                browser.upload_and_save(profile, {f"hammer-{round_}.pdf": pdf(200_000)})
                self.requests.append((started, time.monotonic(), "save"))
                started = time.monotonic()
                browser.get(profile)
                self.requests.append((started, time.monotonic(), "read"))
        except Exception as error:  # the test reads this: every request must succeed
            self.failures.append(repr(error))

    def __enter__(self) -> Hammer:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        while not self.requests and not self.failures:
            time.sleep(0.05)  # hammering before the backup starts
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(120)

    def during(self, start: float, end: float) -> list[str]:
        """What finished inside the backup's run."""
        return [kind for s, e, kind in self.requests if s >= start and e <= end]
