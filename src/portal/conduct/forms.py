"""Parse and check the code of conduct forms: each returns `Parsed(values, errors)`,
errors keyed by the id of the field on the page."""

from __future__ import annotations

from collections.abc import Mapping

from portal.validation import Errors, Parsed

TEXT_LIMIT = 2000


def _text(data: Mapping[str, str], name: str) -> str:
    return (data.get(name) or "").replace("\r\n", "\n").strip()


def _check_text(
    errors: Errors, field_id: str, value: str, missing: str | None, too_long: str
) -> None:
    """`missing` (if the field is required) or `too_long` for `field_id`, if either applies."""
    if not value and missing:
        errors[field_id] = missing
    elif len(value) > TEXT_LIMIT:
        errors[field_id] = f"{too_long} must be {TEXT_LIMIT} characters or fewer"


def concern(data: Mapping[str, str]) -> Parsed[dict[str, str]]:
    values = {"concern": _text(data, "concern"), "follow_up_of": data.get("follow_up_of", "")}
    errors: Errors = {}
    _check_text(errors, "concern", values["concern"], "Enter your concern", "Your concern")
    return Parsed(values, errors)


def response(data: Mapping[str, str], concern_id: int) -> Parsed[dict[str, str]]:
    values = {"response": _text(data, "response"), "action": _text(data, "action")}
    errors: Errors = {}
    _check_text(
        errors, f"response-{concern_id}", values["response"], "Enter your response", "Your response"
    )
    _check_text(
        errors,
        f"action-{concern_id}",
        values["action"],
        "Enter the action taken",
        "The action taken",
    )
    return Parsed(values, errors)


def evidence_request(data: Mapping[str, str]) -> Parsed[dict[str, str]]:
    values = {"message": _text(data, "message")}
    errors: Errors = {}
    _check_text(errors, "message", values["message"], None, "Your message")
    return Parsed(values, errors)


def evidence_answer(data: Mapping[str, str], request_id: int) -> Parsed[dict[str, str]]:
    values = {"answer": data.get("answer", ""), "outstanding": _text(data, "outstanding")}
    errors: Errors = {}
    if values["answer"] not in ("all_provided", "outstanding"):
        errors[f"answer-{request_id}"] = "Select whether you have provided all relevant evidence"
    elif values["answer"] == "outstanding":
        _check_text(
            errors,
            f"outstanding-{request_id}",
            values["outstanding"],
            "Enter what is still outstanding",
            "What is still outstanding",
        )
    return Parsed(values, errors)
