"""Helpers for tests that drive Chromium: a signed-in session, and the problems a page shows."""

from __future__ import annotations

from django.contrib.auth.models import User
from playwright.sync_api import ConsoleMessage, Page, Response

from tests.support.signing_in import session_cookies


def browser_sign_in(page: Page, server_url: str, user: User) -> None:
    """Give the browser a signed-in session for `user`, skipping the consent page."""
    page.context.add_cookies(
        [
            {"name": name, "value": value, "url": server_url}
            for name, value in session_cookies(user).items()
        ]
    )


def watch_for_problems(page: Page, origin: str) -> list[str]:
    """Console errors, uncaught exceptions and 5xx answers of our own pages, as they happen."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and message.location.get("url", "").startswith(origin):
            problems.append(f"console: {message.location.get('url')}: {message.text}")

    def response(answer: Response) -> None:
        if answer.status >= 500 and answer.url.startswith(origin):
            problems.append(f"server: {answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", response)
    return problems
