"""What the survey asks, kept in one place so it can change. Keys are stable: they are
what is stored, so change a wording freely but never reuse a key for another meaning
(retire a key by removing it; old answers under it are then ignored)."""

from __future__ import annotations

STATEMENTS: dict[str, str] = {
    "professional": "The inspection was carried out professionally",
    "courteous": "The inspectors were courteous and respectful",
    "communication": "The inspection team communicated clearly throughout",
    "views": "The inspection took account of the views of parents, carers, learners or staff",
    "help_improve": "The inspection will help us improve",
    "feedback": "The feedback at the end of the inspection was clear",
    "overall": "Overall I am satisfied with how the inspection was carried out",
}

RATINGS: dict[str, str] = {
    "strongly_agree": "Strongly agree",
    "agree": "Agree",
    "disagree": "Disagree",
    "strongly_disagree": "Strongly disagree",
    "not_applicable": "Not applicable",
}

ACTIVITIES: dict[str, str] = {
    "planning_call": "The planning call with the lead inspector",
    "leaders": "Meetings with leaders and managers",
    "observations": "Joint observations or visits to lessons and sessions",
    "work_scrutiny": "Looking at children's or learners' work",
    "learners": "Talking with children or learners",
    "staff": "Meetings with staff",
    "governors": "Meetings with governors, trustees or owners",
    "safeguarding": "Review of safeguarding records and the single central record",
    "daily_evidence": "Discussions of evidence at the end of each day",
    "final_feedback": "Final feedback meeting",
}

# How many activities the provider may pick for each list.
CHOICES = 3
MOST = [f"most_{n}" for n in range(1, CHOICES + 1)]
LEAST = [f"least_{n}" for n in range(1, CHOICES + 1)]
ACTIVITY_FIELDS = [*MOST, *LEAST]

TEXT_LIMIT = 2000
