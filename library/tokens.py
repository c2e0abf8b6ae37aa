"""The token set of one Spotify account, as spotipy's `token_info` dict and as a typed value."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Refresh a little before expiry, so a token never runs out between the check and the request.
EXPIRY_MARGIN_SECONDS = 60


@dataclass(frozen=True, slots=True)
class TokenSet:
    # repr=False: tokens must never reach logs, tracebacks or error pages through a repr().
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: int
    scope: str = ""
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret

    @classmethod
    def from_info(cls, info: Mapping[str, Any]) -> TokenSet:
        return cls(
            access_token=str(info["access_token"]),
            refresh_token=str(info.get("refresh_token") or ""),
            expires_at=int(info.get("expires_at") or time.time() + int(info.get("expires_in", 0))),
            scope=str(info.get("scope") or ""),
            token_type=str(info.get("token_type") or "Bearer"),
        )

    def to_info(self) -> dict[str, Any]:
        """spotipy's token_info shape."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "expires_in": max(0, self.expires_at - int(time.time())),
            "scope": self.scope,
            "token_type": self.token_type,
        }

    def expires_soon(self, *, now: float | None = None) -> bool:
        return self.expires_at - (time.time() if now is None else now) < EXPIRY_MARGIN_SECONDS
