"""The code of conduct page covers every point of the source (../shared/seeds/002_*), in
the portal's own words: each point below is one of the source's, with the words the page
uses for it."""

from __future__ import annotations

import re

from tests.client import PortalClient

SECTIONS = [
    "Why there is a code of conduct",
    "At the start and end of an inspection or visit",
    "What inspectors will do",
    "What providers are expected to do",
    "If you have a concern during the inspection or visit",
    "If a provider does not meet these expectations",
    "Complaining after the inspection or visit",
]

# Source point -> what the page must say about it.
POINTS = {
    "guiding principle": "force for improvement",
    "purpose of inspection": "improve education for learners of all ages",
    "remits": "early years, education and skills, and social care",
    "lead explains and asks to read": "explain what this code expects of inspectors and of you",
    "raise concerns early": "so that it can be put right before the inspection or visit ends",
    "confirm evidence": "confirm that you have given them, or given them access to, all relevant evidence",
    "reminder at the end": "remind you that it is your responsibility",
    "undue anxiety": "avoid causing undue anxiety",
    "without fear or favour": "without fear or favour",
    "Ofsted's values": "uphold and show Ofsted’s values",
    "frameworks": "framework, national standards or regulatory requirements",
    "robust evidence": "clear and robust evidence",
    "conflicts of interest": "declare any conflict of interest, actual or perceived",
    "report honestly": "report honestly and clearly",
    "courtesy": "courtesy, respect and sensitivity",
    "safeguarding first": "put the safeguarding of children and learners first",
    "boundaries": "professional and physical boundaries",
    "rapport with children": "rapport with children",
    "communication and judgements": "tell you their judgements sensitively but clearly",
    "confidentiality": "keep information confidential as far as possible",
    "reasonable requests": "respond appropriately to reasonable requests",
    "safeguarding or health and safety": "safeguarding or health and safety issue",
    "titles": "His Majesty’s Inspector, Regulatory Inspector or Ofsted Inspector",
    "joint inspections": "another inspectorate",
    "Civil Service code": "Civil Service code",
    "providers courteous": "treat inspectors and inspection support staff with respect",
    "no withholding": "never withhold or hide evidence",
    "false information": "false, misleading, inaccurate or incomplete information",
    "normal functioning": "not make arrangements that might mislead them",
    "children first": "above your organisation’s interests or reputation",
    "meet children and staff": "opportunities to meet children, learners and staff",
    "without a manager": "without a manager or registered person present",
    "minimise disruption": "disruption, stress and paperwork",
    "inspectors' safety": "inspectors are safe while they are on your premises",
    "communication with the lead": "purposeful and productive",
    "concerns promptly": "promptly and in a suitable way",
    "CCTV": "a private room without CCTV",
    "concerns recorded": "records every concern raised, and the action taken, in the inspection evidence",
    "leadership and management": "leadership and management",
    "registration": "suitable to remain registered",
    "draft report comments": "comments on the draft report",
    "formal complaint": "formal complaint once you receive the final report",
    "told they can complain": "make sure you know that you can complain",
}


async def test_code_of_conduct_covers_every_point_of_the_source(client: PortalClient) -> None:
    page = (await client.get("/code-of-conduct")).text
    headings = re.findall(r'<h2 class="govuk-heading-m" id="[^"]+">([^<]+)</h2>', page)
    assert headings == SECTIONS
    text = re.sub(r"\s+", " ", page)
    missing = [point for point, words in POINTS.items() if words not in text]
    assert not missing, missing
    # Where the portal records it: the profile's confirmation and 'Raise a concern'.
    assert "confirm on your inspection’s page" in text and "‘Raise a concern’" in text
