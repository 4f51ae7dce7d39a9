"""What a form's input and a rule's refusal look like, for every feature alike.

- `Parsed`: a form's values as typed (to show again) and its errors, `{field_id: message}`
  in the order of the fields on the page (GOV.UK wording: "Enter …", "Select …").
- `Refused`: a service's rule said no; `field` is the id of the field the message belongs
  next to ("" when it is about the whole form), so the route can show it there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

Errors = dict[str, str]


@dataclass(frozen=True)
class Parsed(Generic[T]):
    values: T
    errors: Errors = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class Refused(Exception):
    """A change the rules do not allow; the message says why and what to do."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_errors(self, default_field: str) -> Errors:
        return {self.field or default_field: self.message}
