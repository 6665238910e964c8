"""The browser's side: a WebSocket that queues jobs for the worker and relays its reports."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

#: The channel the worker listens on (``manage.py runworker wordcount``).
JOBS_CHANNEL = "wordcount"


def owner_group(owner):
    """The group of everything one owner's browsers should hear: "jobs.ada"."""
    return f"jobs.{owner}"


class JobsConsumer(AsyncJsonWebsocketConsumer):
    """ws/jobs/<owner>/: send {"text": ...}, receive queued, progress, done."""

    async def connect(self):
        self.group = owner_group(self.scope["url_route"]["kwargs"]["owner"])
        self.jobs = 0
        # Join the owner's group: the worker and the views report there
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """A job from the browser: hand it to the worker and answer at once."""
        self.jobs += 1
        job_id = f"{self.group.removeprefix('jobs.')}-{self.jobs}"
        # A plain send to a channel name: whoever listens on it (runworker) takes the job
        await self.channel_layer.send(
            JOBS_CHANNEL,
            {
                "type": "count.words",
                "job_id": job_id,
                "text": content["text"],
                "reply_group": self.group,
            },
        )
        await self.send_json({"type": "queued", "job_id": job_id})

    # Handlers for what arrives through the group, relayed to the browser as they are.

    async def count_progress(self, event):
        await self.send_json(event)

    async def count_done(self, event):
        await self.send_json(event)

    async def owner_notice(self, event):
        await self.send_json(event)
