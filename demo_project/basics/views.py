"""The course's seed request: GET /api/v1/data?filter=active (lesson 02 traces it)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

ITEMS = [
    {"id": 1, "name": "thermometer", "active": True},
    {"id": 2, "name": "barometer", "active": False},
    {"id": 3, "name": "hygrometer", "active": True},
    {"id": 4, "name": "anemometer", "active": False},
    {"id": 5, "name": "rain gauge", "active": True},
]

FILTERS = {
    "active": lambda item: item["active"],
    "inactive": lambda item: not item["active"],
    "all": lambda item: True,
}


@require_GET  # Anything but GET gets 405 Method Not Allowed.
async def data(request):
    """Return the items, filtered by ``?filter=active|inactive|all`` (default all)."""
    choice = request.GET.get("filter", "all")
    if choice not in FILTERS:
        allowed = list(FILTERS)
        return JsonResponse(
            {
                "error": f"filter must be one of {', '.join(allowed)}; got {choice!r}",
                "allowed": allowed,
            },
            status=400,
        )
    items = [item for item in ITEMS if FILTERS[choice](item)]
    return JsonResponse({"filter": choice, "items": items})
