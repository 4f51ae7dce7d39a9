"""Mail through a real SMTP server started in the test (aiosmtpd): plain, STARTTLS with
authentication, implicit TLS; a refused send is retried and then kept as failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal import mail
from portal.auth import api
from portal.db.tables import OutgoingMail
from portal.settings import Settings
from tests.auth.conftest import SMTP_USER
from tests.auth.mailbox import html_of, initial_password_in, outbox, parse, text_of
from tests.conftest import Database
from tests.factories import Factory


async def test_both_invitation_emails_go_through_smtp(
    db: Database, settings: Settings, make: Factory, smtp_server
) -> None:
    server = smtp_server()
    settings = settings.with_(smtp_url=server.url(), base_url="https://portal.example.org")
    provider = await make.provider(name="Oakfield Primary School")
    await api.create_user(
        username="Priya.Shah",
        email="priya@oakfield.example",
        display_name="Priya Shah",
        role="provider",
        provider_id=provider.id,
        actor_id=None,
        settings=settings,
    )
    assert await mail.deliver_pending(settings) == 2
    first, second = (parse(m.content) for m in server.handler.messages)
    assert [m.rcpt_tos for m in server.handler.messages] == [["priya@oakfield.example"]] * 2
    # First: the username and a link to the sign-in page. Second: the password.
    assert "Your username is: priya.shah" in text_of(first)
    assert "https://portal.example.org/sign-in" in text_of(first)
    assert 'href="https://portal.example.org/sign-in"' in html_of(first)
    assert "password" not in first["Subject"].lower()
    assert "Your password for the Provider Portal is:" in text_of(second)
    assert initial_password_in(second) not in text_of(first)
    # The service's name as sender; plain text and HTML parts.
    assert first["From"].addresses[0].display_name == "Provider Portal"
    assert first.get_content_type() == "multipart/alternative"
    rows = await OutgoingMail.select(OutgoingMail.status).order_by(OutgoingMail.id)
    assert [r["status"] for r in rows] == ["sent", "sent"]


async def test_starttls_and_authentication(db: Database, settings: Settings, smtp_server) -> None:
    server = smtp_server(tls="starttls", auth=True)
    settings = settings.with_(smtp_url=server.url(login=True, query="starttls=required"))
    await mail.enqueue(to="a@example.org", subject="Hello", text="Plain", html="<p>Rich</p>")
    assert await mail.deliver_pending(settings) == 1
    (received,) = server.handler.messages
    assert received.tls and received.login == SMTP_USER
    assert text_of(parse(received.content)).strip() == "Plain"


async def test_wrong_smtp_password_is_kept_with_the_error(
    db: Database, settings: Settings, smtp_server
) -> None:
    server = smtp_server(tls="starttls", auth=True)
    url = server.url(login=True).replace("s3cret-Mail", "wrong")
    await mail.enqueue(to="a@example.org", subject="Hello", text="Plain")
    assert await mail.deliver_pending(settings.with_(smtp_url=url)) == 0
    row = await OutgoingMail.objects().first()
    assert row.status == "queued" and row.attempts == 1
    assert "535" in row.last_error or "Authentication" in row.last_error
    assert server.handler.messages == []


async def test_implicit_tls(db: Database, settings: Settings, smtp_server) -> None:
    server = smtp_server(tls="implicit")
    settings = settings.with_(smtp_url=server.url("smtps"))
    await mail.enqueue(to="b@example.org", subject="Hi", text="Over TLS")
    assert await mail.deliver_pending(settings) == 1
    assert server.handler.messages[0].tls


async def test_a_refused_send_is_retried_then_kept_as_failed(
    db: Database, settings: Settings, smtp_server
) -> None:
    server = smtp_server()
    server.handler.refuse = True
    settings = settings.with_(smtp_url=server.url())
    mail_id = await mail.enqueue(to="c@example.org", subject="Refused", text="No")
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        assert await mail.deliver_pending(settings) == 0
        row = await OutgoingMail.objects().where(OutgoingMail.id == mail_id).first()
        assert row.attempts == attempt
        assert "554" in row.last_error
        if attempt < mail.MAX_ATTEMPTS:
            assert row.status == "queued"
            # Backoff: not retried straight away...
            assert await mail.deliver_pending(settings) == 0
            assert server.handler.attempts == attempt
            # ...but once the delay has passed.
            await OutgoingMail.update(
                {OutgoingMail.next_attempt_at: datetime.now(UTC) - timedelta(seconds=1)}
            ).where(OutgoingMail.id == mail_id)
    assert row.status == "failed"
    assert server.handler.attempts == mail.MAX_ATTEMPTS
    assert [m.id for m in await mail.failed_mail()] == [mail_id]
    # Kept, and can be queued again once the problem is fixed.
    server.handler.refuse = False
    await mail.retry(mail_id)
    assert await mail.deliver_pending(settings) == 1
    assert (await OutgoingMail.objects().where(OutgoingMail.id == mail_id).first()).status == "sent"


async def test_without_smtp_each_mail_is_a_complete_eml_file(
    db: Database, settings: Settings
) -> None:
    await mail.enqueue(to="d@example.org", subject="Outbox", text="Plain part", html="<p>HTML</p>")
    (message,) = await outbox(settings)
    assert message["To"] == "d@example.org" and message["Subject"] == "Outbox"
    assert text_of(message).strip() == "Plain part"
    assert "<p>HTML</p>" in html_of(message)
    assert list(settings.outbox_dir.glob("*.tmp")) == []


def test_smtp_url_options() -> None:
    options = mail.smtp_options("smtp://u%40x:p%2Fw@mail.example:2525?starttls=required&verify=off")
    assert options["hostname"] == "mail.example" and options["port"] == 2525
    assert options["username"] == "u@x" and options["password"] == "p/w"
    assert options["start_tls"] is True and options["validate_certs"] is False
    assert mail.smtp_options("smtps://mail.example")["port"] == 465
    assert mail.smtp_options("smtps://mail.example")["use_tls"] is True
    assert mail.smtp_options("smtp://mail.example")["start_tls"] is None
