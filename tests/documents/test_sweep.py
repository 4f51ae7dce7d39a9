"""The storage sweep runs while the app runs (at start-up and every `sweep_seconds`), not
only at a restart: a file no document points at goes once it is past the grace period;
a saved document's file stays."""

from __future__ import annotations

import asyncio

from portal.app import create_app
from portal.settings import Settings
from tests.client import PortalClient
from tests.factories import Factory


async def test_the_sweep_removes_an_orphan_while_the_app_runs(
    settings: Settings, make: Factory
) -> None:
    app = create_app(settings.with_(storage_grace_seconds=1, sweep_seconds=1))
    async with PortalClient.for_app(app):
        world = await make.world()
        document = await make.document(world.event, world.provider_user)
        await asyncio.sleep(1.5)  # past the start-up sweep
        orphan = settings.files_dir / ("a" * 32)
        orphan.write_bytes(b"stored, never recorded: its process died")
        for _ in range(150):  # up to 15 s: the sweep runs every second
            if not orphan.exists():
                break
            await asyncio.sleep(0.1)
        assert not orphan.exists()
        assert (settings.files_dir / document.stored_name).exists()
