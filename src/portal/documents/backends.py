"""Which store the settings name: `make_storage(settings)`."""

from __future__ import annotations

from portal.documents.storage import DocumentStore
from portal.documents.storage_disk import DiskStore
from portal.settings import Settings


def make_storage(settings: Settings) -> DocumentStore:
    """The store `settings` name: S3 for an s3:// storage URL, else the data dir's files."""
    max_upload = settings.storage_grace_seconds / 2
    url = settings.storage_url
    if url.startswith("s3://"):
        from portal.documents.storage_s3 import S3Store  # only then: botocore is large

        return S3Store.from_url(
            url,
            endpoint_url=settings.s3_endpoint_url or None,
            region=settings.s3_region,
            max_upload_seconds=max_upload,
        )
    if url:
        raise ValueError("PORTAL_STORAGE_URL must be empty (files in the data dir) or s3://…")
    return DiskStore(settings.files_dir, max_upload_seconds=max_upload)
