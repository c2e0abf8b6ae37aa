from __future__ import annotations

import logging
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test import Client

from library.crypto import decrypt_json
from library.models import LibraryRefresh, SpotifyAccount
from library.oauth import AccountTokens
from library.spotify.paging import gather_all
from library.tokens import TokenSet
from sandbox import Sandbox
from tests.factories import SpotifyAccountFactory
from tests.support.signing_in import RunRefresh, SignIn, SignInWithClient

pytestmark = [pytest.mark.django_db]
TOKEN_ENDPOINT = "POST /api/token"


def stored_tokens(account: SpotifyAccount) -> TokenSet:
    account.refresh_from_db()
    tokens = account.tokens()
    assert tokens is not None
    return tokens


def test_tokens_are_encrypted_at_rest() -> None:
    account = SpotifyAccountFactory.create()

    with connection.cursor() as cursor:
        cursor.execute("SELECT token_blob FROM library_spotifyaccount WHERE id = %s", [account.pk])
        (blob,) = cursor.fetchone()

    assert "access-token-value" not in blob
    assert "refresh-token-value" not in blob
    assert decrypt_json(blob)["access_token"] == "access-token-value"


def test_tokens_written_under_another_secret_key_read_as_no_tokens(settings: object) -> None:
    account = SpotifyAccountFactory.create()
    settings.SECRET_KEY = "a-different-key"  # type: ignore[attr-defined]

    assert SpotifyAccount.objects.get(pk=account.pk).tokens() is None


def test_tokens_never_show_in_reprs() -> None:
    account = SpotifyAccountFactory.create()
    tokens = account.tokens()

    shown = repr(tokens) + repr(account) + str(account) + repr(AccountTokens(account.pk))

    assert "access-token-value" not in shown
    assert "refresh-token-value" not in shown


def test_the_admin_never_shows_tokens(admin_client: Client) -> None:
    account = SpotifyAccountFactory.create()

    page = admin_client.get(f"/admin/library/spotifyaccount/{account.pk}/change/")

    content = page.content.decode()
    assert page.status_code == 200
    assert "access-token-value" not in content
    assert "refresh-token-value" not in content
    assert account.token_blob not in content


@pytest.mark.integration
def test_signing_in_and_refreshing_never_log_a_token(
    client: Client,
    sign_in_with_client: SignInWithClient,
    run_refresh: RunRefresh,
    spotify: Sandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    sign_in_with_client(client, "ben")
    account = SpotifyAccount.objects.get()
    first = stored_tokens(account)
    spotify.expire_access_tokens()
    run_refresh(account.user)

    logged = caplog.text
    second = stored_tokens(account)
    for secret in (first.access_token, first.refresh_token, second.access_token):
        assert secret not in logged
    assert second.access_token != first.access_token


@pytest.mark.integration
def test_an_access_token_that_expires_in_the_middle_of_a_refresh_is_renewed_once(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ana = sign_in("ana")
    before = stored_tokens(SpotifyAccount.objects.get(user=ana))
    spotify.reset_counters()
    spotify.knobs.latency = 0.03

    def expire_after_a_few_requests() -> None:
        deadline = time.monotonic() + 10
        while sum(spotify.requests.values()) < 4 and time.monotonic() < deadline:
            time.sleep(0.002)
        spotify.expire_access_tokens()

    expirer = threading.Thread(target=expire_after_a_few_requests)
    expirer.start()
    refresh = run_refresh(ana)
    expirer.join()

    after = stored_tokens(SpotifyAccount.objects.get(user=ana))
    assert refresh.status == LibraryRefresh.Status.SUCCEEDED, refresh.error
    assert spotify.requests[TOKEN_ENDPOINT] == 1
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # PKCE refresh tokens are single-use


@pytest.mark.integration
def test_an_access_token_close_to_expiry_is_renewed_before_it_is_used(
    spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    spotify.knobs.access_token_lifetime = 30  # inside the renewal margin from the start
    ben = sign_in("ben")
    spotify.knobs.access_token_lifetime = 3600
    spotify.reset_counters()

    refresh = run_refresh(ben)

    assert refresh.status == LibraryRefresh.Status.SUCCEEDED
    assert spotify.requests[TOKEN_ENDPOINT] == 1


@pytest.mark.integration
def test_two_token_sources_of_one_account_spend_the_single_use_refresh_token_once(
    spotify: Sandbox, sign_in: SignIn
) -> None:
    ben = sign_in("ben")
    account = SpotifyAccount.objects.get(user=ben)
    stale = stored_tokens(account).access_token
    spotify.reset_counters()
    first, second = AccountTokens(account.pk), AccountTokens(account.pk)

    async def both_refresh() -> list[str]:
        return await gather_all(
            [
                first.refreshed_access_token(stale=stale),
                second.refreshed_access_token(stale=stale),
            ]
        )

    tokens = async_to_sync(both_refresh)()

    assert tokens[0] == tokens[1] != stale
    assert spotify.requests[TOKEN_ENDPOINT] == 1


@pytest.mark.integration
@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_refresh_token_that_is_revoked_or_expired_asks_the_person_to_sign_in_again(
    how: str, client: Client, spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    if how == "revoked":
        spotify.revoke_refresh_tokens("ben")
        spotify.expire_access_tokens()
    else:
        spotify.clock.advance(spotify.knobs.refresh_token_lifetime + 1)

    refresh = run_refresh(ben)

    account = SpotifyAccount.objects.get(user=ben)
    assert refresh.status == LibraryRefresh.Status.FAILED
    assert "sign in again" in refresh.error
    assert account.needs_reauth
    assert account.tokens() is None
    client.force_login(ben)
    assert "Please sign in again" in client.get("/").content.decode()


@pytest.mark.integration
def test_the_refresh_button_asks_to_sign_in_again_when_the_sign_in_has_expired(
    client: Client, spotify: Sandbox, sign_in: SignIn, run_refresh: RunRefresh
) -> None:
    ben = sign_in("ben")
    spotify.revoke_refresh_tokens("ben")
    spotify.expire_access_tokens()
    run_refresh(ben)
    client.force_login(ben)

    response = client.post("/library/refresh/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Sign in again" in response.content.decode()
    assert LibraryRefresh.objects.filter(user=ben).count() == 1


@pytest.mark.integration
def test_signing_in_again_after_an_expired_sign_in_clears_the_request_to_do_so(
    client: Client, sign_in_with_client: SignInWithClient, spotify: Sandbox
) -> None:
    sign_in_with_client(client, "ben")
    account = SpotifyAccount.objects.get()
    account.require_reauth("expired")
    account.save()

    sign_in_with_client(client, "ben")

    account.refresh_from_db()
    assert not account.needs_reauth
    assert account.tokens() is not None
