"""What the app and other features may use of documents: its public face."""

from portal.documents.backends import make_storage
from portal.documents.service import has_published, receipt
from portal.documents.storage import DocumentStore
from portal.documents.storage import valid_name as valid_stored_name
from portal.documents.sweep import sweep_and_log, sweep_forever

__all__ = [
    "DocumentStore",
    "has_published",
    "make_storage",
    "receipt",
    "sweep_and_log",
    "sweep_forever",
    "valid_stored_name",
]
