"""YouTube Music's search, as ytmusicapi calls it: `GET /` and `POST /youtubei/v1/search`.

`GET /` is the page ytmusicapi reads once for a visitor id. The search reads the InnerTube body
(`query`, and `params` for a filter: songs "EgWKAQII…", videos "EgWKAQIQ…"); a continuation
comes back with `ctoken` / `continuation` in the URL and the same body.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox import innertube
from sandbox.candidates import Candidate
from sandbox.faults import RequestCounter
from sandbox.http import Request, Response, html_response, json_response
from sandbox.media import half_then_hang_up
from sandbox.search import SearchIndex
from sandbox.youtube_faults import MediaFaults

FILTER_PREFIX = "EgWKAQ"
FILTERS = {"II": "song", "IQ": "video"}  # ytmusicapi's second params part, per filter
PAGE_SIZE = 20  # a filtered shelf's page, as YouTube Music sends it
UNFILTERED_SHELF = 3  # items per shelf of an unfiltered search


def search_filter(params: str | None) -> str | None:
    """ "song" / "video" for those filters; "other" for any other filter; None for unfiltered."""
    if not params:
        return None
    if params.startswith(FILTER_PREFIX):
        return FILTERS.get(params[len(FILTER_PREFIX) : len(FILTER_PREFIX) + 2], "other")
    return "other"


def innertube_error(status: int, message: str) -> Response:
    reason = "INVALID_ARGUMENT" if status == 400 else "NOT_FOUND"
    return json_response({"error": {"code": status, "message": message, "status": reason}}, status)


class YouTubeMusic:
    def __init__(self, index: SearchIndex, faults: MediaFaults, counts: RequestCounter) -> None:
        self.index, self.faults, self.counts = index, faults, counts
        self.page_size = PAGE_SIZE

    def home(self, request: Request) -> Response:
        self.counts.hit("page")
        fault = self.faults.check_search(request)
        if isinstance(fault, Response):
            return fault
        visitor = secrets.token_urlsafe(18)
        response = html_response(innertube.home_page(visitor))
        response.headers["Set-Cookie"] = f"VISITOR_INFO1_LIVE={visitor[:11]}; Path=/; HttpOnly"
        return response

    def search(self, request: Request) -> Response:
        self.counts.hit("search")
        try:
            body = request.json()
        except ValueError:
            return innertube_error(400, "Invalid JSON payload received.")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return innertube_error(400, "Request contains an invalid argument.")
        fault = self.faults.check_search(request)
        if isinstance(fault, Response):
            return fault
        token = request.arg("ctoken") or request.arg("continuation")
        answer = self._continuation(token) if token else self._first_page(body)
        response = json_response(answer)
        if fault == "truncate":
            response.headers["Content-Length"] = str(len(response.body))
            response.stream = half_then_hang_up(response.body)
        return response

    def _found(self, query: str, kind: str) -> list[Candidate]:
        return [c for c in self.index.search(query) if c.kind == kind]

    def _first_page(self, body: dict[str, Any]) -> dict[str, Any]:
        query, kind = str(body["query"]), search_filter(body.get("params"))
        if kind is None:
            return self._unfiltered(query)
        found = self._found(query, kind) if kind != "other" else []
        if not found:
            return innertube.search_page([innertube.no_results(query)], filtered=True)
        page = found[: self.page_size]
        shelf = innertube.shelf(
            kind, page, query=query, with_type=False, next_offset=len(page), total=len(found)
        )
        return innertube.search_page([shelf], filtered=True)

    def _unfiltered(self, query: str) -> dict[str, Any]:
        found = self.index.search(query)
        if not found:
            return innertube.search_page([innertube.no_results(query)], filtered=False)
        sections = [innertube.top_result_card(found[0])]
        for kind in ("song", "video"):
            items = [c for c in found if c.kind == kind][:UNFILTERED_SHELF]
            if items:
                sections.append(
                    innertube.shelf(
                        kind,
                        items,
                        query=query,
                        with_type=kind == "video",  # as YouTube Music: "Video • channel • …"
                        next_offset=0,
                        total=0,
                    )
                )
        return innertube.search_page(sections, filtered=False)

    def _continuation(self, token: str) -> dict[str, Any]:
        parsed = innertube.parse_continuation(token)
        if parsed is None:
            return {"responseContext": {}}
        query, kind, offset = parsed
        found = self._found(query, kind)
        page = found[offset : offset + self.page_size]
        return innertube.continuation_page(kind, page, query=query, offset=offset, total=len(found))
