"""Spotify's `fields` filter: `name,items(total,next)`, `items.total`, `owner(!href)`.

A comma list of fields; a dot or parentheses select inside an object (or inside each object of a
list); a leading `!` excludes a field and keeps the rest. Whatever was not asked for is omitted,
as Spotify does, so a client that forgets to ask for a field finds it missing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class FieldsError(ValueError):
    """The filter does not parse; Spotify answers such a request with a 400."""


@dataclass
class Selection:
    include: dict[str, Selection | None] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=set)

    def add(self, name: str, sub: Selection | None) -> None:
        if name not in self.include:
            self.include[name] = sub
            return
        known = self.include[name]
        if known is None or sub is None:
            self.include[name] = None  # the whole field wins over a part of it
        else:
            for inner, inner_sub in sub.include.items():
                known.add(inner, inner_sub)
            known.exclude |= sub.exclude


def fields_parse(text: str) -> Selection:
    parser = _Parser(text)
    selection = parser.selection()
    if parser.pos != len(text):
        raise FieldsError(f"unexpected {text[parser.pos]!r} at {parser.pos} in fields")
    return selection


type Filter = Callable[[Any], Any]


@functools.lru_cache(maxsize=128)
def fields_filter(text: str) -> Filter:
    """The filter `text` describes, as a function of an answer; parsed once per text (a client
    sends the same filter with every page)."""
    return _compiled(fields_parse(text))


def _compiled(selection: Selection) -> Filter:
    """A function that cuts a value down to `selection`: an object to the fields asked for (or
    all but the excluded), a list item by item, anything else as it is."""
    pick: Callable[[dict[str, Any]], dict[str, Any]]
    if not selection.include:
        exclude = frozenset(selection.exclude)

        def pick(obj: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in obj.items() if k not in exclude}
    else:
        plain = [name for name, sub in selection.include.items() if sub is None]
        nested = [
            (name, _compiled(sub)) for name, sub in selection.include.items() if sub is not None
        ]

        def pick(obj: dict[str, Any]) -> dict[str, Any]:
            kept = {name: obj[name] for name in plain if name in obj}
            for name, inner in nested:
                if name in obj:
                    kept[name] = inner(obj[name])
            return kept

    def apply(value: Any) -> Any:
        if isinstance(value, dict):
            return pick(value)
        if isinstance(value, list):
            return [apply(v) for v in value]
        return value

    return apply


class _Parser:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def selection(self) -> Selection:
        selection = Selection()
        self.item(selection)
        while self._peek() == ",":
            self.pos += 1
            self.item(selection)
        return selection

    def item(self, into: Selection) -> None:
        excluded = self._peek() == "!"
        if excluded:
            self.pos += 1
        name = self._name()
        if excluded:
            into.exclude.add(name)
            return
        sub: Selection | None = None
        if self._peek() == ".":
            self.pos += 1
            sub = Selection()
            self.item(sub)
        elif self._peek() == "(":
            self.pos += 1
            sub = self.selection()
            if self._peek() != ")":
                raise FieldsError(f"missing ')' at {self.pos} in fields")
            self.pos += 1
        into.add(name, sub)

    def _name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "_"
        ):
            self.pos += 1
        if start == self.pos:
            raise FieldsError(f"a field name is missing at {start} in fields")
        return self.text[start : self.pos]

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""
