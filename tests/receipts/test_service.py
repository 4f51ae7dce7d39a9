"""References: their form, their uniqueness, and no receipt for a rolled back submission."""

from __future__ import annotations

import re

import pytest

from portal.db.tables import Event
from portal.receipts import service
from portal.receipts.api import record
from portal.receipts.tables import Submission
from tests.factories import Factory

REFERENCE = re.compile(
    r"^PP-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$"
)


def test_a_reference_is_pp_and_two_groups_of_four_without_ambiguous_characters() -> None:
    references = {service.new_reference() for _ in range(2000)}
    assert len(references) == 2000  # random: no repeats in a small sample
    for reference in references:
        assert REFERENCE.match(reference), reference
    assert not set("".join(references)) & set("01OIL")


async def test_record_stores_the_submission_and_returns_its_reference(
    db: None, make: Factory
) -> None:
    world = await make.world()
    files = [{"name": "plan.pdf", "size": 1234, "sha256": "ab" * 32, "id": 7}]
    reference = await record(
        world.event.id, world.provider_user.id, "documents", "1 document saved", files=files
    )
    assert REFERENCE.match(reference)
    row = (
        await Submission.select()
        .where(Submission.reference == reference)
        .first()
        .output(load_json=True)
    )
    assert row["event"] == world.event.id
    assert row["actor"] == world.provider_user.id
    assert row["kind"] == "documents"
    assert row["summary"] == "1 document saved"
    assert row["details"] == {"files": [{"name": "plan.pdf", "size": 1234, "sha256": "ab" * 32}]}
    found = await service.find(world.event.id, reference.lower())
    assert found is not None
    assert found.who == world.provider_user.display_name
    assert found.what == "Documents saved"
    assert await service.find(world.other_event.id, reference) is None


async def test_a_clash_is_retried_with_a_new_reference(
    db: None, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make.world()
    taken = await record(world.event.id, world.provider_user.id, "survey", "Survey saved")
    offered = iter([taken, taken, "PP-2345-6789"])
    monkeypatch.setattr(service, "new_reference", lambda: next(offered))
    again = await record(world.event.id, world.provider_user.id, "survey", "Survey saved")
    assert again == "PP-2345-6789"
    assert await Submission.count() == 2


async def test_the_reference_column_refuses_a_duplicate(db: None, make: Factory) -> None:
    world = await make.world()
    taken = await record(world.event.id, world.provider_user.id, "survey", "Survey saved")
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Submission.insert(
            Submission(event=world.event.id, kind="survey", reference=taken, summary="")
        )


async def test_a_rolled_back_submission_leaves_no_receipt(db: None, make: Factory) -> None:
    world = await make.world()

    class Refused(Exception):
        pass

    with pytest.raises(Refused):
        async with Event._meta.db.transaction():
            await record(world.event.id, world.provider_user.id, "concern", "Concern raised")
            raise Refused
    assert await Submission.count() == 0


async def test_an_unknown_kind_is_a_programming_error(db: None, make: Factory) -> None:
    world = await make.world()
    with pytest.raises(ValueError):
        await record(world.event.id, world.provider_user.id, "poem", "")


async def test_activity_lists_newest_first_for_the_event_only(db: None, make: Factory) -> None:
    world = await make.world()
    first = await record(world.event.id, world.provider_user.id, "survey", "Survey saved")
    second = await record(world.event.id, world.colleague.id, "concern", "Concern raised")
    await record(world.other_event.id, world.other_provider_user.id, "survey", "Survey saved")
    listed = await service.activity(world.event.id)
    assert [r.reference for r in listed] == [second, first]
    assert listed[0].who == world.colleague.display_name


def test_a_confirmation_carries_the_reference() -> None:
    assert (
        service.with_reference("Your survey answers have been saved", "PP-2345-6789")
        == "Your survey answers have been saved. Your reference is PP-2345-6789"
    )
    assert service.with_reference("Saved", None) == "Saved"
