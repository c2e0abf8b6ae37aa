"""Pages of a list the way the API answers them: `page` (from 1), `pages`, `total`, `items`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def page_of(objects: Sequence[Any] | Any, page: int, per_page: int = PER_PAGE) -> Page[Any]:
    return Paginator(objects, per_page).get_page(page)


def paged(page: Page[Any], items: list[Any]) -> dict[str, Any]:
    return {
        "page": page.number,
        "pages": page.paginator.num_pages,
        "total": page.paginator.count,
        "items": items,
    }


def form_words(errors: dict[str, Any]) -> str:
    """A form's errors as one plain sentence or more: the words the page would show."""
    return " ".join(str(message) for messages in errors.values() for message in messages)
