"""Demo data (DESIGN.md): two providers, their events, a team, an admin. Idempotent:
each row is looked up by its natural key before it is created."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

from portal.auth.passwords import hash_password
from portal.db.tables import Document, Event, Provider, TeamMember, User
from portal.documents.publishing import published
from portal.documents.storage import DocumentStore

DEMO_PASSWORD = "Portal2026demo"

ACCOUNTS = [
    # username, display name, role, provider URN, email
    ("provider", "Priya Shah", "provider", "131415", "priya.shah@oakfield.example"),
    ("provider2", "Tom Evans", "provider", "EY5678", "tom.evans@littleacorns.example"),
    ("lead.inspector", "Helen Carter HMI", "inspector", None, "helen.carter@ofsted.example"),
    ("inspector", "David Okafor OI", "inspector", None, "david.okafor@ofsted.example"),
    ("admin", "Sam Lee", "admin", None, "sam.lee@ofsted.example"),
]

PROVIDERS = [
    ("131415", "Oakfield Primary School", "12 Mill Lane\nOakfield\nLeeds\nLS6 2AB"),
    ("EY5678", "Little Acorns Nursery", "3 Station Road\nBramley\nGuildford\nGU5 0HL"),
]

PEN_PORTRAITS = {
    "lead.inspector": "Helen has been one of His Majesty's Inspectors since 2015. She was a "
    "primary headteacher in West Yorkshire for nine years and leads on early reading.",
    "inspector": "David is an Ofsted Inspector and serving deputy headteacher of a large "
    "junior school. His specialisms are mathematics and special educational needs.",
}


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid PDF with text, so the demo's downloads open in any viewer."""
    text_ops = ["BT", "/F1 18 Tf", "72 760 Td", f"({_pdf_escape(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        text_ops += ["0 -20 Td", f"({_pdf_escape(line)}) Tj"]
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def load(files: DocumentStore, today: date | None = None) -> None:
    today = today or date.today()
    providers: dict[str, int] = {}
    for urn, name, address in PROVIDERS:
        row = await Provider.objects().where(Provider.urn == urn).first()
        if row is None:
            row = Provider(urn=urn, name=name, address=address)
            await row.save()
        providers[urn] = row.id

    password_hash = await hash_password(DEMO_PASSWORD)
    users: dict[str, int] = {}
    for username, display_name, role, urn, email in ACCOUNTS:
        row = await User.objects().where(User.username == username).first()
        if row is None:
            row = User(
                username=username,
                display_name=display_name,
                role=role,
                email=email,
                provider=providers[urn] if urn else None,
                password_hash=password_hash,
            )
            await row.save()
        users[username] = row.id

    events = {
        "131415": (
            "INS-2026-0415",
            "inspection",
            today - timedelta(days=2),
            today + timedelta(days=1),
        ),
        "EY5678": (
            "VIS-2026-0078",
            "visit",
            today + timedelta(days=14),
            today + timedelta(days=14),
        ),
    }
    event_ids: dict[str, int] = {}
    for urn, (ref, event_type, start, end) in events.items():
        row = await Event.objects().where(Event.event_ref == ref).first()
        if row is None:
            row = Event(
                event_ref=ref,
                event_type=event_type,
                start_date=start,
                end_date=end,
                provider=providers[urn],
            )
            await row.save()
        event_ids[urn] = row.id

    oakfield = event_ids["131415"]
    for username, team_role in [("lead.inspector", "lead"), ("inspector", "team")]:
        exists = await TeamMember.exists().where(
            (TeamMember.event == oakfield) & (TeamMember.user == users[username])
        )
        if not exists:
            await TeamMember(
                event=oakfield,
                user=users[username],
                team_role=team_role,
                pen_portrait=PEN_PORTRAITS[username],
            ).save()

    documents = [
        (
            "draft_report",
            "Oakfield Primary School - draft inspection report.pdf",
            demo_pdf(
                "Oakfield Primary School: draft inspection report",
                [
                    "Inspection dates: see the Provider Portal.",
                    "This draft is for the factual accuracy check only. Do not publish it.",
                    "Overall, pupils at Oakfield Primary School achieve well.",
                ],
            ),
        ),
        (
            "letter",
            "Notification letter.pdf",
            demo_pdf(
                "Notification of inspection",
                [
                    "Dear Headteacher,",
                    "This letter confirms the arrangements for your inspection.",
                ],
            ),
        ),
    ]
    for kind, file_name, content in documents:
        exists = await Document.exists().where(
            (Document.event == oakfield) & (Document.file_name == file_name)
        )
        if exists:
            continue
        stored = await files.save(_one_chunk(content), max_bytes=len(content))
        now = datetime.now(UTC)
        await Document(
            event=oakfield,
            side="ofsted",
            kind=kind,
            file_name=file_name,
            stored_name=stored.stored_name,
            size=stored.size,
            sha256=stored.sha256,
            content_type="application/pdf",
            uploaded_by=users["lead.inspector"],
            uploaded_at=now,
            saved_at=now,
            state="live",
            version=1 if kind in ("draft_report", "final_report") else None,
        ).save()
        await after_publish(oakfield, kind, now)


async def after_publish(event_id: int, kind: str, at: datetime) -> None:
    """What saving an Ofsted document of this kind sets off (the accuracy check opens
    on a draft report). Seeded data is not news: nobody is emailed."""
    await published(event_id, kind, at, tell=False)
