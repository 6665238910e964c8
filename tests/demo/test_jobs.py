"""The jobs app (lesson 10), in-process: the worker, the browser's consumer, the notify views."""

import asyncio
import gc

import pytest
from asgiref.sync import async_to_sync
from channels.testing import ApplicationCommunicator
from django.test import AsyncClient, RequestFactory

from jobs import views, workers
from jobs.asgi import application
from jobs.consumers import JOBS_CHANNEL

pytestmark = pytest.mark.django_db(transaction=True)  # consumers touch the DB from threads

WORKER_SCOPE = {"type": "channel", "channel": JOBS_CHANNEL}


@pytest.fixture(autouse=True)
def fast_work(monkeypatch):
    monkeypatch.setattr(workers, "SECONDS_PER_LINE", 0.001)


async def listen(layer, group):
    inbox = await layer.new_channel()
    await layer.group_add(group, inbox)
    return inbox


async def receive(layer, inbox, n):
    return [await asyncio.wait_for(layer.receive(inbox), 1) for _ in range(n)]


async def test_the_worker_counts_words_and_reports_each_line_to_the_group(channel_layer):
    inbox = await listen(channel_layer, "jobs.test")
    worker = ApplicationCommunicator(application, WORKER_SCOPE)
    job = {"type": "count.words", "job_id": "j", "text": "a b\nc", "reply_group": "jobs.test"}
    try:
        await worker.send_input(job)
        reports = await receive(channel_layer, inbox, 3)
    finally:
        worker.stop()

    assert reports == [
        {"type": "count.progress", "job_id": "j", "done": 1, "total": 2},
        {"type": "count.progress", "job_id": "j", "done": 2, "total": 2},
        {"type": "count.done", "job_id": "j", "words": 3},
    ]


async def test_a_channel_the_router_does_not_know_is_an_error():
    stranger = ApplicationCommunicator(application, {"type": "channel", "channel": "other"})
    await stranger.send_input({"type": "anything"})

    with pytest.raises(ValueError, match="No application configured for channel name 'other'"):
        await stranger.wait()


async def test_the_consumer_queues_a_job_for_the_worker_and_relays_its_reports(ws, channel_layer):
    browser = ws("/ws/jobs/ada/", app=application)
    assert (await browser.connect())[0]

    await browser.send_json_to({"text": "one two"})

    assert await browser.receive_json_from() == {"type": "queued", "job_id": "ada-1"}
    job = await asyncio.wait_for(channel_layer.receive(JOBS_CHANNEL), 1)
    assert job == {
        "type": "count.words",
        "job_id": "ada-1",
        "text": "one two",
        "reply_group": "jobs.ada",
    }
    for event in (
        {"type": "count.progress", "job_id": "ada-1", "done": 1, "total": 1},
        {"type": "count.done", "job_id": "ada-1", "words": 2},
        {"type": "owner.notice", "text": "hello"},
    ):
        await channel_layer.group_send("jobs.ada", event)
        assert await browser.receive_json_from() == event


async def test_the_consumer_leaves_its_group_on_disconnect(ws, channel_layer):
    browser = ws("/ws/jobs/grace/", app=application)
    await browser.connect()
    assert len(channel_layer.groups["jobs.grace"]) == 1

    await browser.disconnect()

    assert not channel_layer.groups.get("jobs.grace")


async def test_notify_sends_from_a_sync_view_to_the_owners_group(channel_layer, settings):
    settings.ROOT_URLCONF = "jobs.urls"
    inbox = await listen(channel_layer, "jobs.ada")

    response = await AsyncClient().post("/jobs/notify/ada/", {"text": "ready"})

    assert response.json() == {"sent": True}
    assert await receive(channel_layer, inbox, 1) == [{"type": "owner.notice", "text": "ready"}]


def test_notify_unawaited_answers_but_never_sends(channel_layer):
    inbox = async_to_sync(listen)(channel_layer, "jobs.ada")
    request = RequestFactory().post("/jobs/notify-unawaited/ada/", {"text": "lost"})

    with pytest.warns(RuntimeWarning, match="group_send' was never awaited"):
        response = views.notify_unawaited(request, "ada")
        gc.collect()

    assert response.status_code == 200
    assert inbox not in channel_layer.channels  # nothing was queued for the group's member


def test_the_views_refuse_get(client, settings):
    settings.ROOT_URLCONF = "jobs.urls"

    assert client.get("/jobs/notify/ada/").status_code == 405


def test_settings_jobs_is_the_demo_with_the_jobs_application():
    from config import settings, settings_jobs

    assert settings_jobs.ASGI_APPLICATION == "jobs.asgi.application"
    assert settings_jobs.ROOT_URLCONF == "jobs.urls"
    assert settings_jobs.INSTALLED_APPS == settings.INSTALLED_APPS
    assert settings_jobs.CHANNEL_LAYERS == settings.CHANNEL_LAYERS
