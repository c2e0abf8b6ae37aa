from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.support.servers import AsgiServer

pytestmark = [pytest.mark.browser]


def test_home_page_renders_without_console_errors(page: Page, asgi_server: AsgiServer) -> None:
    errors: list[str] = []

    def remember_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", remember_error)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    response = page.goto(asgi_server.url + "/")

    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spotify library")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert errors == []
