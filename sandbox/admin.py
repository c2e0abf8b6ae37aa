"""The admin endpoint (`/_sandbox/...`, JSON) on both servers: knobs, counters, edits, tokens.

It mirrors the Python API for tests that drive the sandbox from another process (the demo,
browser tests). Admin requests are never counted and never faulted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.http import Request, Response, Router, json_response

if TYPE_CHECKING:
    from sandbox.core import Sandbox

Action = Callable[[Request], Any]


def _json_action(action: Action) -> Callable[[Request], Response]:
    def run(request: Request) -> Response:
        try:
            result = action(request)
        except KeyError as error:
            return json_response({"error": str(error.args[0] if error.args else error)}, 404)
        except (ValueError, TypeError) as error:
            return json_response({"error": str(error)}, 400)
        return json_response({"ok": True} if result is None else result)

    return run


def admin_routes(router: Router, sb: Sandbox) -> None:
    def add(method: str, path: str, action: Action) -> None:
        router.add(method, "/_sandbox" + path, _json_action(action))

    def body(request: Request) -> dict[str, Any]:
        data = request.json()
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    def set_knobs(request: Request) -> dict[str, object]:
        sb.knobs.update(body(request))
        return sb.knobs.as_dict()

    def set_media_knobs(request: Request) -> dict[str, object]:
        sb.media_knobs.update(body(request))
        return sb.media_knobs.as_dict()

    def set_lyrics_knobs(request: Request) -> dict[str, object]:
        sb.lyrics_knobs.update(body(request))
        return sb.lyrics_knobs.as_dict()

    def set_lyrics_kind(request: Request) -> None:
        sb.set_lyrics_kind(request.params["id"], str(body(request).get("kind", "")))

    def fail_next(request: Request) -> None:
        data = body(request)
        target = str(data.get("target", ""))
        knobs = {"media": sb.media_knobs, "lrclib": sb.lyrics_knobs}.get(target, sb.knobs)
        knobs.fail_next(int(data.get("count", 1)), str(data.get("kind", "500")), data.get("path"))

    def edit(request: Request) -> dict[str, str]:
        data, pid, op = body(request), request.params["id"], request.params["op"]
        if op == "add":
            snap = sb.playlist_add(pid, data["ids"], data.get("position"), data.get("added_by"))
        elif op == "remove":
            snap = sb.playlist_remove(pid, data["ids"])
        elif op == "move":
            snap = sb.playlist_move(
                pid,
                int(data["range_start"]),
                int(data["insert_before"]),
                int(data.get("range_length", 1)),
            )
        else:
            raise KeyError(f"unknown playlist operation {op!r}")
        return {"snapshot_id": snap}

    def token(request: Request) -> dict[str, str]:
        data = body(request)
        access, refresh = sb.issue_token(
            data["user"], data.get("scopes"), client_id=data.get("client_id")
        )
        return {"access_token": access, "refresh_token": refresh}

    add("GET", "", lambda r: sb.state())
    add("POST", "/knobs", set_knobs)
    add("POST", "/media/knobs", set_media_knobs)
    add("POST", "/fail-next", fail_next)
    add("POST", "/lyrics/knobs", set_lyrics_knobs)
    add("POST", "/lyrics/{id}", set_lyrics_kind)
    add("GET", "/lyrics/requests", lambda r: dict(sb.lrclib.requests))
    add("POST", "/expire-access-tokens", lambda r: {"expired": sb.expire_access_tokens()})
    add(
        "POST",
        "/revoke-refresh-tokens",
        lambda r: {"revoked": sb.revoke_refresh_tokens(body(r)["user"])},
    )
    add("GET", "/requests", lambda r: dict(sb.requests))
    add("POST", "/requests/reset", lambda r: sb.reset_counters())
    add("GET", "/youtube/requests", lambda r: sb.youtube_request_counts())
    add("POST", "/reset", lambda r: sb.reset())
    add("POST", "/clock/advance", lambda r: sb.clock.advance(float(body(r)["seconds"])))
    add("POST", "/playlists/{id}/{op}", edit)
    add("GET", "/users", lambda r: sb.state()["users"])
    add("GET", "/users/{user}/library", lambda r: sb.user_library(r.params["user"]))
    add(
        "GET",
        "/expected/{track_id}",
        lambda r: sorted(sb.expected_candidates(r.params["track_id"])),
    )
    add("POST", "/token", token)
