"""Issue 18's proof, with real programs: the demo is loaded, a provider uploads and saves
documents and completes the accuracy check through a running `portal serve`; while a
second provider keeps uploading and saving, `portal backup` runs; the archive is
restored into an empty data dir (and an empty database, and an empty bucket prefix),
`portal serve` is started on it, and every document (same SHA-256), the check's answers
and the audit log are found there. On SQLite, on PostgreSQL, and on PostgreSQL with S3.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.backup.journey import COMMENT, Browser, Hammer, pdf, sha
from tests.backup.stored import AUDIT, CHECK, DOCUMENTS, rows
from tests.conftest import fresh_postgres
from tests.deploy.forms import link
from tests.deploy.servers import portal, portal_env, serving, start
from tests.s3 import Bucket, s3_server  # noqa: F401  (fixture)

VARIANTS = ["sqlite", "postgres", "postgres-s3"]


@dataclass
class Side:
    """One portal's configuration: its data dir, database and store."""

    data_dir: Path
    database_url: str
    storage: str  # "" (files in the data dir) or s3://bucket/prefix
    bucket: Bucket | None

    def env(self) -> dict[str, str]:
        extra = {"PORTAL_DATABASE_URL": self.database_url}
        if self.bucket is not None:
            extra.update(self.bucket.env)
            extra["PORTAL_STORAGE_URL"] = self.storage
        return portal_env(self.data_dir, **extra)

    def stored_bytes(self, stored_name: str) -> bytes:
        if self.bucket is None:
            return (self.data_dir / "files" / stored_name).read_bytes()
        key = self.storage.split("/", 3)[3] + "/" + stored_name
        answer = self.bucket.server.client().get_object(Bucket=self.bucket.name, Key=key)
        return answer["Body"].read()

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        return rows(self.database_url, self.data_dir, sql)


@pytest.fixture(params=VARIANTS)
def sides(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Side, Side]]:
    """The portal backed up, and the empty place it is restored into."""
    with ExitStack() as stack:
        urls = ("", "")
        if request.param.startswith("postgres"):
            urls = (
                stack.enter_context(fresh_postgres("portal_backup_from")),
                stack.enter_context(fresh_postgres("portal_backup_to")),
            )
        bucket = None
        if request.param.endswith("s3"):
            server = request.getfixturevalue("s3_server")
            bucket = Bucket(server=server, name=f"portal-backup-{id(stack):x}")
            server.client().create_bucket(Bucket=bucket.name)
        yield (
            Side(tmp_path / "live", urls[0], bucket and f"s3://{bucket.name}/documents", bucket),
            Side(tmp_path / "restored", urls[1], bucket and f"s3://{bucket.name}/restored", bucket),
        )


def test_backup_taken_while_serving_restores_every_document_answer_and_audit_entry(
    sides: tuple[Side, Side], tmp_path: Path
) -> None:
    live, restored = sides
    demo = start(live.env(), tmp_path / "demo.log", command="demo")  # loads the demo data
    assert demo.stop() in (0, -15)
    files = {f"evidence-{n}.pdf": pdf(1_500_000) for n in range(3)}
    archive = tmp_path / "backup.tar"

    with serving(live.env(), tmp_path / "live.log") as server:
        provider = Browser(server.url)
        profile = provider.sign_in("provider")
        provider.upload_and_save(profile, files)
        provider.complete_accuracy_check(profile)
        audit_before = live.rows(AUDIT)
        check = live.rows(CHECK)
        assert any(row[3] == COMMENT and row[4] == "completed" for row in check), check

        with Hammer(server.url) as hammer:
            started = time.monotonic()
            made = portal("backup", "--to", str(archive), env=live.env(), timeout=300)
            finished = time.monotonic()
            time.sleep(0.5)  # and a little after
        assert made.returncode == 0, made.stderr
        assert not hammer.failures, hammer.failures
        during = hammer.during(started, finished)
        assert "save" in during, f"no upload was saved while the backup ran: {during}"
        assert "Backup written" in made.stdout and made.stdout.count("\r") == 0  # not a tty
        audit_after = live.rows(AUDIT)

    verified = portal("backup", "--verify", str(archive), env=live.env())
    assert verified.returncode == 0, verified.stderr
    assert "every file matches its manifest" in verified.stdout

    done = portal("restore", str(archive), env=restored.env(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout and "documents:" in done.stdout

    # What is stored: every document the restored database names is there, same bytes.
    documents = restored.rows(DOCUMENTS)
    names = {row[3] for row in documents}
    assert set(files) <= names
    for _id, stored_name, digest, _name, _state in documents:
        assert sha(restored.stored_bytes(stored_name)) == digest
    # The check's answers, as they were; the audit log: everything before the backup,
    # and no entry the live portal does not have.
    assert restored.rows(CHECK) == check
    restored_audit = restored.rows(AUDIT)
    assert restored_audit[: len(audit_before)] == audit_before
    assert restored_audit == audit_after[: len(restored_audit)]

    # What a user sees: the portal started on the restored data.
    with serving(restored.env(), tmp_path / "restored.log") as server:
        provider = Browser(server.url)
        page = provider.get(provider.sign_in("provider")).text
        for name, content in files.items():
            assert sha(provider.get(link(page, name)).content) == sha(content)
        check_page = provider.get(link(page, "Factual accuracy check")).text
        assert COMMENT in check_page
        admin = Browser(server.url)
        admin.sign_in("admin")
        log = admin.get("/admin/audit?username=provider").text  # the provider's own entries
        for name in files:
            assert name in log
        assert "accuracy check" in log
    for log_name in ("live.log", "restored.log"):
        text = (tmp_path / log_name).read_text()
        assert "Traceback" not in text, text
