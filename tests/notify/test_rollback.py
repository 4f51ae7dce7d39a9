"""A mail is queued in the transaction of the change that causes it: a change that rolls
back leaves no mail, and a mail that cannot be queued leaves no change."""

from __future__ import annotations

import pytest
from litestar import Litestar

from portal import mail, notify
from portal.auth import lockout
from portal.auth.passwords import verify_password
from portal.auth.service import change_password
from portal.db.tables import OutgoingMail, User
from tests.factories import PASSWORD, Factory
from tests.notify.samples import SAMPLES

NEW = "Kestrel42 nest"


class Boom(Exception):
    pass


async def test_a_change_that_rolls_back_leaves_no_mail(app: Litestar, make: Factory) -> None:
    user = await make.user(display_name="Before")
    with pytest.raises(Boom):
        async with User._meta.db.transaction():
            await User.update({User.display_name: "After"}).where(User.id == user.id)
            await notify.send(
                "password_changed", await notify.user(user.id), **SAMPLES["password_changed"]
            )
            assert await OutgoingMail.count() == 1  # queued, inside the transaction
            raise Boom
    assert await OutgoingMail.count() == 0
    row = await User.select(User.display_name).where(User.id == user.id).first()
    assert row["display_name"] == "Before"


async def test_a_password_change_whose_mail_fails_is_not_made(
    app: Litestar, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await make.user()

    async def refuse(**_: object) -> int:
        raise Boom

    monkeypatch.setattr(mail, "enqueue", refuse)
    with pytest.raises(Boom):
        await change_password(user, NEW, actor_id=user.id, notice="password_changed")
    stored = await User.objects().where(User.id == user.id).first()
    assert await verify_password(stored.password_hash, PASSWORD)  # the old one still works
    assert await OutgoingMail.count() == 0


async def test_a_message_that_cannot_be_rendered_writes_nothing(
    app: Litestar, make: Factory
) -> None:
    user = await make.user()
    with pytest.raises(Exception, match="no_such_message"):
        await change_password(user, NEW, actor_id=user.id, notice="no_such_message")
    stored = await User.objects().where(User.id == user.id).first()
    assert await verify_password(stored.password_hash, PASSWORD)
    assert await OutgoingMail.count() == 0


async def test_a_lock_whose_mail_fails_is_not_started(
    app: Litestar, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await make.user(failed_attempts=4)

    async def refuse(**_: object) -> int:
        raise Boom

    monkeypatch.setattr(mail, "enqueue", refuse)
    with pytest.raises(Boom):
        await lockout.count_failure(user, user.username, lockout.Rule(5, 15), None, what="sign-in")
    stored = await User.objects().where(User.id == user.id).first()
    assert stored.locked_until is None and stored.failed_attempts == 5
    assert await OutgoingMail.count() == 0
