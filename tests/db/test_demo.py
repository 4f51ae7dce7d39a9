"""`portal demo` data and migrations, on each database backend."""

from __future__ import annotations

from portal import demo
from portal.db.tables import Document, Event, Provider, TeamMember, User
from portal.documents.storage_disk import DiskStore
from portal.settings import Settings
from tests.conftest import Database


async def test_demo_data_loads_once_however_often_it_runs(db: Database, settings: Settings) -> None:
    files = DiskStore(settings.files_dir)
    await demo.load(files)
    await demo.load(files)

    assert await User.count() == 5
    assert await Provider.count() == 2
    assert await Event.count() == 2
    assert await TeamMember.count() == 2
    assert await Document.count() == 2
    assert len(list(settings.files_dir.iterdir())) == 2
    provider = await User.objects().where(User.username == "provider").first()
    event = await Event.objects().where(Event.provider == provider.provider).first()
    kinds = {
        row["kind"]
        for row in await Document.select(Document.kind).where(Document.event == event.id)
    }
    assert kinds == {"draft_report", "letter"}


async def test_demo_accounts_sign_in_with_the_documented_password(
    db: Database, settings: Settings
) -> None:
    from portal.auth.service import authenticate

    await demo.load(DiskStore(settings.files_dir))
    for username, *_ in demo.ACCOUNTS:
        result = await authenticate(username, demo.DEMO_PASSWORD)
        assert result.user is not None and result.user.username == username


def test_demo_pdf_is_a_pdf() -> None:
    import puremagic

    content = demo.demo_pdf("Title", ["line (with brackets)"])
    assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
    assert puremagic.from_string(content, mime=True) == "application/pdf"
