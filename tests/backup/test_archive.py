"""The archive and its checks: what a backup holds, --verify on a good and a tampered
archive, a restore that refuses a tampered archive (naming the file) or a target that
is not empty (naming what is in the way) and writes nothing, and one that restores."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from portal.backup.archive import ArchiveError
from portal.backup.make import make_backup
from portal.backup.restore import RestoreRefused, restore, verify
from portal.settings import Settings
from tests.backup.conftest import load_demo
from tests.conftest import fresh_postgres
from tests.deploy.servers import portal, portal_env
from tests.s3 import Bucket, s3_bucket, s3_server  # noqa: F401  (fixtures)


async def _pg_tables(url: str) -> list[str]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return [row["tablename"] for row in rows]
    finally:
        await connection.close()


async def _pg(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def tampered(archive: Path, name: str, tmp_path: Path) -> Path:
    """A copy of the archive with one byte of one member's content changed."""
    copy = tmp_path / f"tampered-{name.replace('/', '-')}.tar"
    shutil.copy(archive, copy)
    with tarfile.open(copy) as tar:
        offset = tar.getmember(name).offset_data
    with copy.open("r+b") as out:
        out.seek(offset + 100)
        byte = out.read(1)
        out.seek(offset + 100)
        out.write(bytes([byte[0] ^ 0xFF]))
    return copy


def with_manifest(archive: Path, tmp_path: Path, change: Any) -> Path:
    """A copy of the archive whose manifest `change(manifest_dict)` altered."""
    copy = tmp_path / "changed-manifest.tar"
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return copy


def document_member(archive: Path) -> str:
    return next(name for name in members(archive) if name.startswith("files/"))


async def test_backup_holds_database_documents_outbox_and_a_manifest_of_them(
    archive: Path, demo_settings: Settings
) -> None:
    contents = members(archive)
    names = list(contents)
    assert names[0] == "database/portal.sqlite3" and names[-1] == "manifest.json"
    manifest = json.loads(contents["manifest.json"])
    stored = sorted(p.name for p in demo_settings.files_dir.iterdir())
    assert sorted(n.removeprefix("files/") for n in names if n.startswith("files/")) == stored
    assert "outbox/20261129T101500-000001-abcdef.eml" in names
    for name, entry in manifest["files"].items():  # every member but the manifest, hashed
        assert hashlib.sha256(contents[name]).hexdigest() == entry["sha256"]
        assert len(contents[name]) == entry["size"]
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    database = manifest["database"]
    assert database["kind"] == "sqlite"
    assert database["tables"]["portal_user"] == 5 and database["tables"]["document"] == len(stored)
    assert "portal" in database["migrations"] and manifest["portal_version"]
    # The database member is a whole SQLite file of its own (no WAL beside it).
    copy = demo_settings.data_dir.parent / "copy.sqlite3"
    copy.write_bytes(contents["database/portal.sqlite3"])
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT count(*) FROM portal_user").fetchone() == (5,)


def test_a_backup_never_overwrites_a_file(
    demo_settings: Settings, archive: Path, tmp_path: Path
) -> None:
    before = archive.read_bytes()
    result = portal(
        "backup", "--to", str(archive), env=portal_env(demo_settings.data_dir), timeout=120
    )
    assert result.returncode == 1
    assert f"{archive} already exists" in result.stderr
    assert archive.read_bytes() == before


def test_verify_passes_a_good_archive_and_fails_a_tampered_one_naming_the_file(
    archive: Path, tmp_path: Path
) -> None:
    env = portal_env(tmp_path / "unused")
    good = portal("backup", "--verify", str(archive), env=env)
    assert good.returncode == 0, good.stderr
    assert "every file matches its manifest" in good.stdout
    for name in (document_member(archive), "database/portal.sqlite3"):
        bad = portal("backup", "--verify", str(tampered(archive, name, tmp_path)), env=env)
        assert bad.returncode == 1
        assert f"NOT a good backup: {name}: its SHA-256" in bad.stderr


def test_a_cut_short_archive_fails_verify(archive: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.tar"
    short.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(ArchiveError, match="cut short"):
        verify(short)


def test_a_member_that_is_not_ours_is_refused_by_name(archive: Path, tmp_path: Path) -> None:
    odd = tmp_path / "odd.tar"
    with tarfile.open(archive) as source, tarfile.open(odd, "w") as out:
        for member in source.getmembers():
            if member.name == "manifest.json":
                evil = tarfile.TarInfo("files/../../etc/cron.d/evil")
                evil.size = 3
                out.addfile(evil, io.BytesIO(b"bad"))
            out.addfile(member, source.extractfile(member))
    with pytest.raises(ArchiveError, match=r"files/\.\./\.\./etc/cron\.d/evil: not a member"):
        verify(odd)


async def test_restore_refuses_a_tampered_archive_and_writes_nothing(
    archive: Path, tmp_path: Path
) -> None:
    name = document_member(archive)
    target = Settings(data_dir=tmp_path / "restored")
    with pytest.raises(ArchiveError, match=f"{name}: its SHA-256"):
        await restore(target, tampered(archive, name, tmp_path))
    assert not target.data_dir.exists()


async def test_restore_refuses_a_data_dir_that_is_not_empty_naming_what_is_there(
    archive: Path, tmp_path: Path
) -> None:
    target = Settings(data_dir=tmp_path / "restored")
    target.data_dir.mkdir()
    (target.data_dir / "portal.sqlite3").write_bytes(b"someone's database")
    with pytest.raises(
        RestoreRefused, match=r"data dir .*restored is not empty \(portal.sqlite3\)"
    ):
        await restore(target, archive)
    assert [p.name for p in target.data_dir.iterdir()] == ["portal.sqlite3"]
    assert (target.data_dir / "portal.sqlite3").read_bytes() == b"someone's database"


async def test_restore_brings_back_database_documents_and_outbox(
    archive: Path, demo_settings: Settings, tmp_path: Path
) -> None:
    target = Settings(data_dir=tmp_path / "restored")
    restored = await restore(target, archive)
    assert restored.tables == restored.manifest.database["tables"]
    assert restored.migrations_applied == []
    for path in demo_settings.files_dir.iterdir():
        assert (target.files_dir / path.name).read_bytes() == path.read_bytes()
    assert sorted(p.name for p in target.outbox_dir.iterdir()) == [
        "20261129T101500-000001-abcdef.eml"
    ]
    with sqlite3.connect(target.sqlite_path) as connection:
        users = connection.execute("SELECT username FROM portal_user ORDER BY username")
        assert [row[0] for row in users] == [
            "admin",
            "inspector",
            "lead.inspector",
            "provider",
            "provider2",
        ]
    assert [p.name for p in target.data_dir.iterdir() if p.name.startswith(".")] == []


async def test_a_document_deleted_while_the_backup_ran_is_restored_as_deleted(
    demo_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot names a document whose file a user's Save removes before it is
    copied: the archive says so, and the restore marks it deleted (what it became)."""
    from portal.backup import make

    victim = sorted(demo_settings.files_dir.iterdir())[0]
    real_take = make.take

    async def take_then_delete(*args: object) -> object:
        snapshot = await real_take(*args)  # type: ignore[arg-type]
        victim.unlink()  # the file goes after the snapshot, as a Save's delete does
        return snapshot

    monkeypatch.setattr(make, "take", take_then_delete)
    made = await make_backup(demo_settings, tmp_path / "backup.tar")
    assert len(made.manifest.documents["gone"]) == 1
    target = Settings(data_dir=tmp_path / "restored")
    await restore(target, made.path)
    with sqlite3.connect(target.sqlite_path) as connection:
        state = connection.execute(
            "SELECT state FROM document WHERE stored_name = ?", (victim.name,)
        ).fetchone()
    assert state == ("deleted",)
    assert not (target.files_dir / victim.name).exists()


ADMIN_MIGRATION = "2026-11-23T17:17:05:206425"  # the admin lists' indexes


async def test_an_archive_older_than_the_portal_is_restored_and_migrated(
    demo_settings: Settings, tmp_path: Path
) -> None:
    """The archive of a portal that had not yet run the admin app's migration: the
    restore applies it and says so."""
    from piccolo.apps.migrations.commands.backwards import run_backwards

    from portal.db import engine

    bound = engine.bind(demo_settings.effective_database_url)
    try:
        # Piccolo reverses the migration, then stumbles over its own report: the
        # migration table below says whether it was reversed.
        with contextlib.suppress(TypeError):
            await run_backwards("admin", migration_id="1", auto_agree=True)
    finally:
        await engine.close(bound)
    with sqlite3.connect(demo_settings.sqlite_path) as connection:
        assert connection.execute(
            "SELECT count(*) FROM migration WHERE app_name = 'admin'"
        ).fetchone() == (0,)
    made = await make_backup(demo_settings, tmp_path / "older.tar")
    assert "admin" not in made.manifest.database["migrations"]

    target = Settings(data_dir=tmp_path / "restored")
    restored = await restore(target, made.path)
    assert restored.migrations_applied == [f"admin {ADMIN_MIGRATION}"]
    with sqlite3.connect(target.sqlite_path) as connection:
        indexes = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    assert "provider_name_idx" in indexes


async def test_restore_refuses_a_database_that_has_tables_naming_them(
    archive: Path, tmp_path: Path
) -> None:
    """A PostgreSQL archive is not restored into a database with tables in it, nor a
    SQLite archive into PostgreSQL."""
    with (
        fresh_postgres("portal_backup_from") as source_url,
        fresh_postgres("portal_backup_busy") as busy_url,
    ):
        source = Settings(data_dir=tmp_path / "pg-live", database_url=source_url)
        await load_demo(source)
        made = await make_backup(source, tmp_path / "pg.tar")
        assert made.manifest.database["kind"] == "postgresql"
        await _pg(busy_url, "CREATE TABLE precious (id int)")
        target = Settings(data_dir=tmp_path / "restored", database_url=busy_url)
        with pytest.raises(RestoreRefused, match=r"the database already has 1 tables \(precious"):
            await restore(target, made.path)
        with pytest.raises(RestoreRefused, match="holds a sqlite database"):
            await restore(target, archive)
        assert not target.data_dir.exists()
        await _pg(busy_url, "DROP TABLE precious")

        # Restored, then found wrong (rows not as the manifest counts them): undone.
        wrong = with_manifest(
            made.path, tmp_path, lambda m: m["database"]["tables"].update(portal_user=99)
        )
        with pytest.raises(ArchiveError, match="do not match the manifest's counts: portal_user"):
            await restore(target, wrong)
        assert await _pg_tables(busy_url) == []
        assert list(target.data_dir.rglob("*")) == []


async def test_restore_refuses_a_bucket_prefix_that_holds_files_naming_one(
    archive: Path,
    tmp_path: Path,
    s3_bucket: Bucket,  # noqa: F811
) -> None:
    client = s3_bucket.server.client()
    client.put_object(
        Bucket=s3_bucket.name, Key="documents/0123456789abcdef0123456789abcdef", Body=b"x"
    )
    target = Settings(
        data_dir=tmp_path / "restored",
        storage_url=s3_bucket.url,
        s3_endpoint_url=s3_bucket.server.endpoint_url,
    )
    with pytest.raises(
        RestoreRefused, match=r"storage s3://.*/documents already holds files \(0123456789abcdef"
    ):
        await restore(target, archive)
    assert s3_bucket.keys() == ["documents/0123456789abcdef0123456789abcdef"]
    assert not target.data_dir.exists()


def test_progress_is_shown_on_a_terminal_only(demo_settings: Settings, tmp_path: Path) -> None:
    env = portal_env(demo_settings.data_dir)
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "backup", "--to", str(tmp_path / "tty.tar")],
            env=env,
            stdout=terminal,
            stderr=subprocess.PIPE,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                data = os.read(controller, 4096)
            except OSError:
                break  # the terminal's other end closed
            if not data:
                break
            shown += data
        assert process.wait(60) == 0
    finally:
        os.close(controller)
    assert b"\rBacking up: " in shown and b"(100%)" in shown
    piped = portal("backup", "--to", str(tmp_path / "piped.tar"), env=env)
    assert piped.returncode == 0 and "Backing up" not in piped.stdout


def test_a_backup_streams_into_a_pipe_with_its_report_on_stderr(
    demo_settings: Settings, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "portal.cli", "backup", "--to", "-"],
        env=portal_env(demo_settings.data_dir),
        capture_output=True,  # standard output is a pipe, as into `zstd` or `gpg`
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    piped = tmp_path / "piped.tar"
    piped.write_bytes(result.stdout)
    manifest = verify(piped)
    assert manifest.documents["count"] == len(list(demo_settings.files_dir.iterdir()))
    digest = hashlib.sha256(result.stdout).hexdigest()
    assert f"SHA-256 of the archive: {digest}" in result.stderr.decode()
