"""The documents screens with S3-compatible storage (a real moto server over HTTP):
upload (Word judged by its content through range reads, a CSV larger than one part sent
as a multipart upload), Save, download byte for byte, and a deleted document's object
gone after the next Save. Nothing is written to the data dir's files."""

from __future__ import annotations

import hashlib
from typing import Any

from portal.app import create_app
from portal.db.tables import Document
from portal.documents.filetypes import CSV, DOCX
from portal.documents.storage_s3 import PART_SIZE
from portal.settings import Settings
from tests.client import PortalClient
from tests.documents.conftest import upload
from tests.documents.samples import docx
from tests.factories import Factory
from tests.html_check import record_page
from tests.s3 import REGION, Bucket


async def test_upload_save_download_and_delete_with_s3_storage(
    settings: Settings, make: Factory, s3_bucket: Bucket
) -> None:
    s3 = settings.with_(
        storage_url=s3_bucket.url, s3_endpoint_url=s3_bucket.server.endpoint_url, s3_region=REGION
    )
    world = await make.world()
    plan = docx()
    table = b"date,measure,value\n" + b"2026-11-23,attendance,97.5\n" * (PART_SIZE // 20)
    url = f"/events/{world.event.id}/documents"
    async with PortalClient.for_app(create_app(s3), on_page=record_page) as client:
        await client.sign_in_as(world.provider_user)
        response = await upload(client, url, [("plan.docx", plan), ("attendance.csv", table)])
        assert response.status_code == 303
        assert (await client.post(f"{url}/save")).status_code == 303

        saved: list[dict[str, Any]] = await Document.select().order_by(Document.id)
        assert [(d["file_name"], d["state"], d["content_type"]) for d in saved] == [
            ("plan.docx", "live", DOCX),
            ("attendance.csv", "live", CSV),
        ]
        assert s3_bucket.keys() == sorted(f"documents/{d['stored_name']}" for d in saved)
        assert s3_bucket.unfinished() == []
        assert not settings.files_dir.exists()

        for document, content in zip(saved, [plan, table], strict=True):
            download = await client.get(
                f"/events/{world.event.id}/documents/{document['id']}/download"
            )
            assert download.status_code == 200
            assert download.headers["content-length"] == str(len(content))
            assert download.headers["content-disposition"].startswith("attachment;")
            assert download.headers["x-content-type-options"] == "nosniff"
            assert hashlib.sha256(download.content).hexdigest() == document["sha256"]
            assert download.content == content

        await client.post(f"{url}/{saved[0]['id']}/delete")
        assert (await client.post(f"{url}/save")).status_code == 303
        assert s3_bucket.keys() == [f"documents/{saved[1]['stored_name']}"]
