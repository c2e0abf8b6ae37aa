"""The API's test helpers: people with tokens, and a client whose every JSON answer is checked
against the OpenAPI document the app serves."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from spotifydl.api.services import token_create

API = "/api/v1"


@dataclass
class Api:
    """Requests with a Bearer token; each JSON response must match the served document."""

    client: Client
    secret: str
    spec: OpenAPI

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}", **extra}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        response = getattr(self.client, method)(f"{API}{path}", **kwargs)
        if response.get("Content-Type", "").startswith("application/json"):
            self.spec.validate_response(
                DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
            )
        return response

    def get(self, path: str, **extra: Any) -> Any:
        return self.call("get", path, **extra)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("post", path, {} if body is None else body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("put", path, body)

    def delete(self, path: str) -> Any:
        return self.call("delete", path)


@pytest.fixture
def spec(client: Client, db: None) -> OpenAPI:
    document = client.get(f"{API}/openapi.json").json()
    return OpenAPI.from_dict(document)


@pytest.fixture
def api_for(spec: OpenAPI) -> Callable[[User], Api]:
    def make(user: User) -> Api:
        return Api(Client(), token_create(owner=user, name="script").secret, spec)

    return make


@pytest.fixture
def api(api_for: Callable[[User], Api], user: User) -> Api:
    return api_for(user)


@pytest.fixture
def other_api(api_for: Callable[[User], Api], other_user: User) -> Api:
    return api_for(other_user)
