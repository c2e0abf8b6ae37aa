"""Tokens, the client secret, sign-in codes and the YouTube cookies file never show up in logs,
in output, on pages or on error pages: captured through a sign-in, a library refresh, a
refresh-token rotation, a cookies upload and a download that meets the bot check."""

from __future__ import annotations

import base64
import logging
import secrets
import warnings
from typing import Any

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from downloads import selectors as download_selectors
from library.models import SpotifyAccount
from library.oauth import PENDING_KEY
from library.tokens import TokenSet
from library.views import auth as auth_views
from sandbox import Sandbox
from tests.reliability.helpers import playlist_job, run_job_here, uploaded_tracks
from tests.support.signing_in import RunRefresh, SignIn

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CONFIDENTIAL_CLIENT = "spotifydl-confidential"


def _tokens(account: SpotifyAccount) -> TokenSet:
    account.refresh_from_db()
    tokens = account.tokens()
    assert tokens is not None
    return tokens


def _consent(authorize_url: str) -> dict[str, str]:
    """What the browser does at Spotify: follow the authorize URL, read the callback's params.

    This is the test playing the browser; its own HTTP client's debug lines (httpcore logs the
    Location header, code included) are not the app's logs, so they are kept out of the capture.
    """
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("httpx", "httpcore")]
    quiet = [logging.getLogger(name) for name in {"httpx", "httpcore.http11", *names}]
    for logger in quiet:
        logger.disabled = True
    try:
        answer = httpx.get(authorize_url)
    finally:
        for logger in quiet:
            logger.disabled = False
    return dict(httpx.URL(answer.headers["Location"]).params)


COOKIE_LINES = (  # domain, include subdomains, path, secure: what browsers' exports contain
    (".youtube.com", "TRUE", "/", "TRUE"),
    ("127.0.0.1", "FALSE", "/", "FALSE"),  # the sandbox's host: yt-dlp sends this one
    (".google.com", "TRUE", "/", "TRUE"),
)


def _cookies_file(values: list[str], lines: tuple[tuple[str, ...], ...] = COOKIE_LINES) -> bytes:
    rows = ["# Netscape HTTP Cookie File"]
    for (domain, subdomains, path, secure), value in zip(lines, values, strict=True):
        rows.append(f"{domain}\t{subdomains}\t{path}\t{secure}\t2147483647\tSID\t{value}")
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("flow", ["pkce", "confidential"])
def test_no_token_secret_code_or_cookie_reaches_logs_output_or_pages(
    flow: str,
    client: Client,
    spotify: Sandbox,
    media_sandbox: Sandbox,
    settings: Any,
    run_refresh: RunRefresh,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(
        logging.DEBUG
    )  # as LOG_LEVEL=DEBUG would: every logger at its configured level
    client_secret = ""
    if flow == "confidential":
        client_secret = f"client-secret-{secrets.token_hex(12)}"
        settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET = (
            CONFIDENTIAL_CLIENT,
            client_secret,
        )
        spotify.register_client(
            CONFIDENTIAL_CLIENT, client_secret, [settings.SPOTIFY_REDIRECT_URI], "spotifydl"
        )
    # Sign in the way a browser does, noting the code and the PKCE verifier on the way.
    spotify.knobs.auto_consent = "ben"
    start = client.post("/login/")
    verifiers = [entry["verifier"] for entry in client.session[PENDING_KEY].values()]
    params = _consent(start["Location"])
    pages = [client.get("/callback/", params)]
    account = SpotifyAccount.objects.get()
    first = _tokens(account)
    # The first reading of the library, then another once the access token has expired.
    run_refresh(account.user)
    spotify.expire_access_tokens()
    run_refresh(account.user)
    second = _tokens(account)
    assert second.access_token != first.access_token
    # A cookies file for YouTube, and a download that meets the bot check with it.
    cookie_values = [f"cookie-{secrets.token_hex(10)}" for _ in range(3)]
    upload = SimpleUploadedFile("cookies.txt", _cookies_file(cookie_values))
    form = {"default_format": "original", "path_template": "", "concurrency": ""}
    pages.append(client.post("/settings/installation/", {**form, "cookies_file": upload}))
    media_sandbox.media_knobs.fail_next(1, "bot_check", path="/watch")
    job = playlist_job(
        media_sandbox, account.user, uploaded_tracks(media_sandbox, 1), name="Walled", enqueue=False
    )
    run_job_here(job)
    item = job.items.get()
    # It ran, with the cookies, and met the bot check: the installation waits for a fresh file.
    assert (job.status, item.status) == ("paused", "queued")
    assert job.error.startswith("YouTube wants a sign-in check: the cookies file")
    for url in ("/", "/library/", "/settings/installation/", f"/downloads/{job.pk}/"):
        pages.append(client.get(url))
    pages.append(client.get(f"/downloads/items/{item.pk}/match/"))

    secret_values = {
        "access token": [first.access_token, second.access_token],
        "refresh token": [first.refresh_token, second.refresh_token],
        "authorization code": [params["code"]],
        "PKCE verifier": [v for v in verifiers if v],
        "cookie value": cookie_values,
    }
    if client_secret:
        basic = base64.b64encode(f"{CONFIDENTIAL_CLIENT}:{client_secret}".encode()).decode()
        secret_values["client secret"] = [client_secret, basic]
    output = capfd.readouterr()
    seen = {
        "the logs": caplog.text,
        "stdout/stderr": output.out + output.err,
        "the pages": "\n".join(p.content.decode(errors="replace") for p in pages),
        "the job's errors": " ".join(job.items.values_list("error", flat=True)),
    }
    for where, text in seen.items():
        for what, values in secret_values.items():
            for value in values:
                assert value not in text, f"a {what} appears in {where}"
    assert len(caplog.records) > 20, "nothing was logged: the test looked at nothing"


def test_a_server_error_page_shows_no_secret_and_no_trace(
    sign_in: SignIn,
    spotify: Sandbox,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.DEBUG = False
    settings.SPOTIFY_CLIENT_SECRET = f"client-secret-{secrets.token_hex(12)}"
    ben = sign_in("ben")
    tokens = _tokens(SpotifyAccount.objects.get(user=ben))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("internal detail 42")

    monkeypatch.setattr(download_selectors, "jobs_for", broken)
    browser = Client(raise_request_exception=False)
    browser.force_login(ben)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value

    response = browser.get("/downloads/")

    assert response.status_code == 500
    page = response.content.decode()
    for value in (tokens.access_token, tokens.refresh_token, settings.SPOTIFY_CLIENT_SECRET,
                  settings.SECRET_KEY, session, "internal detail 42", "Traceback", "RuntimeError",
                  "jobs_for", str(settings.DATA_DIR)):  # fmt: skip
        assert value not in page, f"the 500 page shows {value[:12]!r}…"
    for value in (
        tokens.access_token,
        tokens.refresh_token,
        settings.SPOTIFY_CLIENT_SECRET,
        session,
    ):
        assert value not in caplog.text


def test_a_sign_in_that_crashes_logs_neither_its_code_nor_its_verifier(
    client: Client,
    spotify: Sandbox,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.DEBUG = False
    caplog.set_level(logging.DEBUG)

    async def crash(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(auth_views, "account_sign_in_with_code", crash)
    spotify.knobs.auto_consent = "ben"
    browser = Client(raise_request_exception=False)
    start = browser.post("/login/")
    (entry,) = browser.session[PENDING_KEY].values()
    params = _consent(start["Location"])

    response = browser.get("/callback/", params)

    assert response.status_code == 500
    assert "Internal Server Error: /callback/" in caplog.text  # the crash itself is logged...
    for value in (params["code"], entry["verifier"]):
        assert value not in caplog.text  # ...without the secrets the view was holding
        assert value not in response.content.decode()


def test_a_cookies_file_yt_dlp_cannot_read_never_shows_its_values(
    client: Client, media_sandbox: Sandbox, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user.is_staff = True  # installation cookies are the admin's to upload
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    value = f"cookie-{secrets.token_hex(10)}"
    quirky = _cookies_file([value], (("youtube.com", "TRUE", "/", "TRUE"),))
    form = {"default_format": "original", "path_template": "", "concurrency": ""}
    upload = client.post(
        "/settings/installation/", {**form, "cookies_file": SimpleUploadedFile("c.txt", quirky)}
    )
    if upload.status_code == 400:
        return  # refused at upload with a message: fine
    job = playlist_job(
        media_sandbox, user, uploaded_tracks(media_sandbox, 1), name="Quirky", enqueue=False
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # http.cookiejar warns with the line too
        run_job_here(job)

    page = client.get(f"/downloads/{job.pk}/").content.decode()
    assert value not in " ".join(job.items.values_list("error", flat=True))
    assert value not in page
    assert value not in caplog.text
