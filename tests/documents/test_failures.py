"""A failure between storing a file and recording it (here the database refusing the
row, as it does when its disk is full) leaves no file behind: the upload fails, and its
file is removed at once rather than left for the sweep."""

from __future__ import annotations

from portal.db.tables import Document
from portal.settings import Settings
from tests.client import PortalClient
from tests.conftest import Database
from tests.documents.conftest import upload
from tests.documents.samples import PDF
from tests.factories import Factory

REFUSE_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON document "
        "BEGIN SELECT RAISE(ABORT, 'could not extend file: No space left on device'); END"
    ],
    "postgres": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'could not extend file: No space left on device'; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON document FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
UNDO = {
    "sqlite": ["DROP TRIGGER refuse"],
    "postgres": ["DROP TRIGGER refuse ON document", "DROP FUNCTION refuse()"],
}


async def test_a_file_the_database_will_not_record_is_not_kept(
    db: Database, client: PortalClient, make: Factory, settings: Settings
) -> None:
    world = await make.world()
    await client.sign_in_as(world.provider_user)
    for statement in REFUSE_INSERTS[db.backend]:
        await Document.raw(statement)
    try:
        response = await upload(client, f"/events/{world.event.id}/documents", [("a.pdf", PDF)])
    finally:
        for statement in UNDO[db.backend]:
            await Document.raw(statement)
    assert response.status_code >= 500
    assert await Document.count() == 0
    assert not settings.files_dir.exists() or list(settings.files_dir.iterdir()) == []
