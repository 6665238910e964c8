"""Sending to a group from sync code: a plain Django view.

POST /jobs/notify/<owner>/ with a ``text`` field tells every browser of that owner.
``notify_unawaited`` is the classic mistake, kept for lesson 10 to show: it calls the
layer's ``group_send`` like a function, which only creates a coroutine; nothing runs it.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from jobs.consumers import owner_group


def _notice(request):
    return {"type": "owner.notice", "text": request.POST.get("text", "")}


@csrf_exempt  # a demo API called by scripts, not by a form (no CSRF token to send)
@require_POST
def notify(request, owner):
    """Right: a sync view runs group_send through async_to_sync."""
    async_to_sync(get_channel_layer().group_send)(owner_group(owner), _notice(request))
    return JsonResponse({"sent": True})


@csrf_exempt
@require_POST
def notify_unawaited(request, owner):
    """Wrong: the coroutine is created, never awaited, and nothing is sent."""
    get_channel_layer().group_send(owner_group(owner), _notice(request))
    return JsonResponse({"sent": True})
