"""A data dir with the demo loaded (SQLite, files on disk), and a backup of it, made in
this process through the same functions the commands call."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal import demo as demo_data
from portal.backup.make import make_backup
from portal.commands import database
from portal.documents.api import make_storage
from portal.settings import Settings


async def load_demo(settings: Settings) -> None:
    files = make_storage(settings)
    try:
        async with database(settings):
            await demo_data.load(files)
    finally:
        await files.close()


@pytest.fixture
async def demo_settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "live", mail_worker=False)
    await load_demo(settings)
    outbox = settings.outbox_dir
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "20261129T101500-000001-abcdef.eml").write_bytes(b"Subject: Invitation\n\nHello")
    return settings


@pytest.fixture
async def archive(demo_settings: Settings, tmp_path: Path) -> Path:
    made = await make_backup(demo_settings, tmp_path / "backup.tar")
    return made.path
