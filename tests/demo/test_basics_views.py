"""basics.views.data: the seed request GET /api/v1/data?filter=active."""

import pytest
from django.test import AsyncClient

from basics.views import ITEMS


@pytest.fixture
def client():
    return AsyncClient()


async def test_seed_request_returns_only_active_items(client):
    response = await client.get("/api/v1/data?filter=active")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["filter"] == "active"
    assert body["items"] == [item for item in ITEMS if item["active"]]
    assert body["items"], "the fixed list should hold some active items"


@pytest.mark.parametrize(
    ("query", "expected_filter", "active_values"),
    [
        ("?filter=inactive", "inactive", {False}),
        ("?filter=all", "all", {True, False}),
        ("", "all", {True, False}),
    ],
)
async def test_filter_values(client, query, expected_filter, active_values):
    response = await client.get(f"/api/v1/data{query}")

    assert response.status_code == 200
    body = response.json()
    assert body["filter"] == expected_filter
    assert {item["active"] for item in body["items"]} == active_values
    if expected_filter == "all":
        assert body["items"] == ITEMS


@pytest.mark.parametrize("value", ["ACTIVE", "yes", "", "active,inactive"])
async def test_unknown_filter_is_a_400_naming_the_allowed_values(client, value):
    response = await client.get("/api/v1/data", {"filter": value})

    assert response.status_code == 400
    body = response.json()
    assert body["allowed"] == ["active", "inactive", "all"]
    assert "active, inactive, all" in body["error"]
    assert repr(value) in body["error"]


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
async def test_anything_but_get_is_405(client, method):
    response = await getattr(client, method)("/api/v1/data?filter=active")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
