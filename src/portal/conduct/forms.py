"""Parse and check the code of conduct forms → {field_id: message}."""

from __future__ import annotations

from collections.abc import Mapping

TEXT_LIMIT = 2000


def _text(data: Mapping[str, str], name: str) -> str:
    return (data.get(name) or "").replace("\r\n", "\n").strip()


def concern(data: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {"concern": _text(data, "concern"), "follow_up_of": data.get("follow_up_of", "")}
    errors: dict[str, str] = {}
    if not values["concern"]:
        errors["concern"] = "Enter your concern"
    elif len(values["concern"]) > TEXT_LIMIT:
        errors["concern"] = f"Your concern must be {TEXT_LIMIT} characters or fewer"
    return values, errors


def response(data: Mapping[str, str], concern_id: int) -> tuple[dict[str, str], dict[str, str]]:
    values = {"response": _text(data, "response"), "action": _text(data, "action")}
    errors: dict[str, str] = {}
    if not values["response"]:
        errors[f"response-{concern_id}"] = "Enter your response"
    elif len(values["response"]) > TEXT_LIMIT:
        errors[f"response-{concern_id}"] = f"Your response must be {TEXT_LIMIT} characters or fewer"
    if not values["action"]:
        errors[f"action-{concern_id}"] = "Enter the action taken"
    elif len(values["action"]) > TEXT_LIMIT:
        errors[f"action-{concern_id}"] = (
            f"The action taken must be {TEXT_LIMIT} characters or fewer"
        )
    return values, errors


def evidence_request(data: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {"message": _text(data, "message")}
    errors: dict[str, str] = {}
    if len(values["message"]) > TEXT_LIMIT:
        errors["message"] = f"Your message must be {TEXT_LIMIT} characters or fewer"
    return values, errors


def evidence_answer(
    data: Mapping[str, str], request_id: int
) -> tuple[dict[str, str], dict[str, str]]:
    values = {"answer": data.get("answer", ""), "outstanding": _text(data, "outstanding")}
    errors: dict[str, str] = {}
    if values["answer"] not in ("all_provided", "outstanding"):
        errors[f"answer-{request_id}"] = "Select whether you have provided all relevant evidence"
    elif values["answer"] == "outstanding":
        if not values["outstanding"]:
            errors[f"outstanding-{request_id}"] = "Enter what is still outstanding"
        elif len(values["outstanding"]) > TEXT_LIMIT:
            errors[f"outstanding-{request_id}"] = (
                f"What is still outstanding must be {TEXT_LIMIT} characters or fewer"
            )
    return values, errors
