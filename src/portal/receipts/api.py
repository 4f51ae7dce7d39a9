"""What other features may use of receipts: its public face.

`record(event_id, actor_id, kind, summary, files=[{"name", "size", "sha256"}])` stores a
submission inside the caller's transaction and returns its reference ("PP-7K3M-Q9TD");
`KINDS` names the kinds ("documents", "accuracy", "survey", "concern", "evidence").
`latest_reference(event_id, kind)`: the newest reference of a kind on the event.
`with_reference(message, reference)`: a confirmation banner's words with "Your
reference is PP-…". A receipt's page is the route `receipts.receipt` (event_id, reference)."""

from portal.receipts.service import KINDS, latest_reference, record, with_reference

__all__ = ["KINDS", "latest_reference", "record", "with_reference"]
