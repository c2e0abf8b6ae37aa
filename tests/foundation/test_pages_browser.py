"""Every page of the app in Chromium, on a desktop and on a 390 px phone, in light and dark:
nothing wider than a phone's screen, and no serious or critical axe-core violation.

The pages come from the authorization matrix's route list (tests/reliability/routes.py) and its
world of one of everything, so a page added later is swept as soon as the matrix knows its ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.matches.helpers import searched_item
from tests.reliability.routes import QUERY, app_routes, url_for
from tests.reliability.world import World, build_world
from tests.support.axe import COLOUR_RULES, LAYOUT_RULES, axe_load, axe_problems
from tests.support.browser import browser_sign_in, watch_for_problems
from tests.support.servers import AsgiServer
from tests.support.signing_in import outside_running_loop

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
# Not pages: Django's admin has its own look, the JSON API answers JSON.
NOT_SWEPT = {"admin", "api"}
MISSING = "/no-such-page/"  # the 404 page, for visitors and people signed in


@dataclass
class Site:
    server: AsgiServer
    world: World
    visitor_pages: list[str]  # whole HTML pages a visitor gets
    owner_pages: list[str]  # whole HTML pages the owner (an admin) gets


def _whole_pages(client: Client, urls: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The URLs that answer a whole HTML page (not a redirect, a fragment, a file or a stream)."""
    pages = []
    for url, query in urls:
        response = client.get(url, query)
        html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code == 200 and html and b"<html" in response.content[:500].lower():
            pages.append(response.wsgi_request.get_full_path())
    return pages


@pytest.fixture
def site(asgi_server: AsgiServer, settings: Any) -> Site:
    settings.DEMO_MODE = True  # the demo banner is part of every page people first see
    world = build_world()
    world.owner.is_staff = True  # the installation's pages are swept too
    world.owner.save(update_fields=["is_staff"])
    searched_item(track=world.track, job=world.job, position=2)  # the match page's candidates
    routes = [r for r in app_routes() if r.name and r.name.split(":")[0] not in NOT_SWEPT]
    urls = [(url_for(r, world), QUERY[r.name](world) if r.name in QUERY else {}) for r in routes]

    def classify() -> tuple[list[str], list[str]]:
        client = Client()
        visitor = _whole_pages(client, urls)
        client.cookies = SimpleCookie()
        client.force_login(world.owner)
        return visitor, _whole_pages(client, urls)

    visitor, owner = outside_running_loop(classify)
    return Site(asgi_server, world, [*visitor, MISSING], [*owner, MISSING])


def _axe(page: Page, label: str, *, only: tuple[str, ...] = ()) -> list[str]:
    return [f"{label}: {problem}" for problem in axe_problems(page, only=only)]


def _check(page: Page, origin: str, url: str) -> list[str]:
    """One visit, four looks: the page opens on a phone (its width checked), then axe runs in
    light and dark there and, the window widened, on a desktop. The desktop gets every rule; the
    other three the rules a colour scheme or a narrow layout can change (the markup is the same)."""
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="light")
    response = page.goto(origin + url)
    expected = 404 if url == MISSING else 200
    if response is None or response.status != expected:
        return [f"{url}: answered {response and response.status}, expected {expected}"]
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{url}: {width} px wide on a {PHONE['width']} px phone")
    problems += _axe(page, f"{url} phone light", only=LAYOUT_RULES)
    page.emulate_media(color_scheme="dark")
    problems += _axe(page, f"{url} phone dark", only=COLOUR_RULES)
    page.set_viewport_size(DESKTOP)
    problems += _axe(page, f"{url} desktop dark", only=COLOUR_RULES)
    page.emulate_media(color_scheme="light")
    return problems + _axe(page, f"{url} desktop light")


def test_every_page_fits_a_phone_and_has_no_serious_accessibility_problem(
    site: Site, browser: Browser
) -> None:
    assert len(site.owner_pages) >= 20, site.owner_pages  # the route list was found
    origin = site.server.url
    context = browser.new_context(viewport=PHONE)
    axe_load(context)
    page = context.new_page()
    errors = watch_for_problems(page, origin)
    problems: list[str] = []
    for url in site.visitor_pages:
        problems += [f"visitor {problem}" for problem in _check(page, origin, url)]
    browser_sign_in(page, origin, site.world.owner)
    for url in site.owner_pages:
        problems += _check(page, origin, url)
    context.close()
    # The 404 page's own answer is the one error expected in the console.
    problems += [error for error in errors if MISSING not in error]
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_header_is_compact_and_works_from_the_keyboard(
    asgi_server: AsgiServer, user: Any, settings: Any, browser: Browser
) -> None:
    settings.DEMO_MODE = True
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_sign_in(page, asgi_server.url, user)
    page.goto(asgi_server.url + "/library/recent/")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")

    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 0.15 * PHONE["height"], header
    expect(nav).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    page.keyboard.press("Tab")  # the brand, then the menu button
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    assert menu.evaluate("button => getComputedStyle(button).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Downloads")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()

    # The library's links scroll sideways: the current one in view, a fade where more are hidden.
    expect(page.get_by_role("link", name="Recently played")).to_be_in_viewport()
    row = page.get_by_role("navigation", name="Library").locator(".scroll-row")
    expect(row).to_have_attribute("data-more", re.compile("start"))
    context.close()
