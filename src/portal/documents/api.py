"""What the app and other features may use of documents: its public face."""

from portal.documents.service import has_published, receipt, remove_orphans

__all__ = ["has_published", "receipt", "remove_orphans"]
