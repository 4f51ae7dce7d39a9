"""A sample of the values each message of templates/notify/ is sent with: the registry
test (test_registry.py) renders every message with its sample, with StrictUndefined,
and checks every link in it. A message without a sample here fails that test.

EVERYONE WHO ADDS A MESSAGE (templates/notify/<message>.md) ADDS ITS SAMPLE HERE: the
values its caller passes to `notify.send` (not `name`, `service_name` or
`support_contact`: `send` adds those). Give links as `links.url(...)` would (strings
starting with the base URL) or let the template build them with `url(...)`."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.outbox import BASE_URL

CHANGED_AT = datetime(2026, 12, 4, 15, 5, tzinfo=UTC)
EVENT_URL = f"{BASE_URL}/events/7"
EVENT = {"event_ref": "INS-000007", "event_type": "inspection", "provider_name": "Oakfield"}
DUE = "5pm on Friday 4 December 2026"

SAMPLES: dict[str, dict[str, object]] = {
    "password_changed": {"changed_at": CHANGED_AT},
    "password_reset": {"changed_at": CHANGED_AT},
    "account_locked": {
        "locked_at": CHANGED_AT,
        "locked_until": datetime(2026, 12, 4, 15, 20, tzinfo=UTC),
        "attempts": 5,
    },
    # The event notifications (accuracy/notices.py, conduct/notices.py, admin/notices.py,
    # documents/publishing.py).
    "accuracy_check_open": {**EVENT, "due": DUE, "link": f"{EVENT_URL}/accuracy-check"},
    "accuracy_check_reminder": {**EVENT, "due": DUE, "link": f"{EVENT_URL}/accuracy-check"},
    "accuracy_check_receipt": {
        **EVENT,
        "answer": "Yes",
        "comments": "Paragraph 3: we have 212 pupils.",
        "completed_at": "4 December 2026 at 3:05pm",
        "completed_by": "Sam Patel",
        "confirmation": "I confirm that I have entered all my comments on the draft report",
        "confirmed": "Yes",
        "link": f"{EVENT_URL}/accuracy-check",
        "question": "Do you wish to make any comments about the factual accuracy of the report?",
        "receipt_link": f"{EVENT_URL}/activity/PP-7K3M-Q9TD",
        "reference": "PP-7K3M-Q9TD",
    },
    "accuracy_check_completed": {
        **EVENT,
        "completed_at": "4 December 2026 at 3:05pm",
        "completed_by": "Sam Patel",
        "link": f"{EVENT_URL}/accuracy-check",
        "reference": "PP-7K3M-Q9TD",
        "wants_to_comment": True,
    },
    "final_report_published": {
        **EVENT,
        "code_link": f"{BASE_URL}/code-of-conduct#complaints",
        "complaints_link": f"{EVENT_URL}#complaints",
        "link": f"{EVENT_URL}#ofsted-documents",
    },
    "concern_raised": {
        **EVENT,
        "follow_up": False,
        "link": f"{EVENT_URL}/concerns/3",
        "no_lead": True,
        "raised_by": "Sam Patel",
        "text": "An inspector interrupted a lesson *twice*.",
    },
    "concern_answered": {
        **EVENT,
        "action_taken": "We will keep to the timetable.",
        "link": f"{EVENT_URL}#concern-3",
        "responded_by": "Helen Carter HMI",
        "response": "I am sorry: we ran late.",
    },
    "evidence_requested": {
        **EVENT,
        "link": f"{EVENT_URL}/evidence-confirmations/2",
        "note": "Safeguarding records.",
        "requested_by": "David Okafor OI",
    },
    "evidence_answered": {
        **EVENT,
        "answer": "Some evidence is still outstanding",
        "answered_by": "Sam Patel",
        "link": f"{EVENT_URL}#evidence-2",
        "outstanding": "Minutes of governors.",
    },
    "team_changed": {
        **EVENT,
        "change": "Helen Carter HMI has joined the team as lead inspector",
        "link": f"{EVENT_URL}#ofsted-team",
    },
}
