"""course/live/workers.py (course.start_worker): manage.py runworker as a child of the kernel."""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer

from course.live import workers
from course.live.redis_server import start_redis
from course.live.workers import start_worker

pytestmark = pytest.mark.slow

SETTINGS = "config.settings_jobs"


def test_needs_channels_to_listen_on():
    with pytest.raises(ValueError, match="name the channels"):
        start_worker()
    with pytest.raises(ValueError, match="name the channels"):
        workers.Worker("wordcount")  # a str, not a list of channels


async def test_runs_the_demo_worker_across_processes():
    redis = start_redis()
    worker = start_worker("wordcount", settings=SETTINGS, env=redis.env())
    assert worker.name == "wordcount" and worker.running
    assert f"running, pid {worker.pid}, listening on wordcount" in repr(worker)
    assert worker.logs().count(workers.READY) == 1

    layer = RedisChannelLayer(**redis.channel_layer_config()["CONFIG"])
    try:
        inbox = await layer.new_channel()
        await layer.group_add("jobs.test", inbox)
        job = {"type": "count.words", "job_id": "j", "text": "a b c", "reply_group": "jobs.test"}
        await layer.send("wordcount", job)
        reports = [await asyncio.wait_for(layer.receive(inbox), 5) for _ in range(2)]
    finally:
        await layer.flush()
        await layer.close_pools()

    assert reports[-1] == {"type": "count.done", "job_id": "j", "words": 3}
    worker.stop()
    assert not worker.running and "stopped" in repr(worker)


def test_says_ready_with_debug_off_too():
    worker = start_worker("wordcount", settings=SETTINGS, env={"DJANGO_DEBUG": "0"})
    assert worker.running and workers.READY in worker.logs()


def test_same_name_replaces_the_old_worker():
    first = start_worker("wordcount", settings=SETTINGS)
    second = start_worker("wordcount", settings=SETTINGS)
    assert not first.running and second.running and first.pid != second.pid


def test_a_worker_that_cannot_start_says_why():
    with pytest.raises(RuntimeError, match=r"(?s)worker .wordcount. exited .*No module named"):
        start_worker("wordcount", settings="config.no_such_settings")
