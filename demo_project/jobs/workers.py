"""A worker consumer: it handles messages sent to a channel name, not to a connection.

No client ever connects to it. ``manage.py runworker wordcount`` listens on the channel
``wordcount`` and hands every message found there to one instance of this consumer, in a
scope ``{"type": "channel", "channel": "wordcount"}``.
"""

import time

from asgiref.sync import async_to_sync
from channels.consumer import SyncConsumer

#: Seconds of "work" per line: stands in for a slow, blocking job (a report, a thumbnail).
SECONDS_PER_LINE = 0.1


class WordCountWorker(SyncConsumer):
    """Counts the words of a text, slowly, line by line, and reports to a group."""

    def count_words(self, message):
        """Handler for {"type": "count.words", "job_id", "text", "reply_group"}."""
        lines = message["text"].splitlines()
        reply = async_to_sync(self.channel_layer.group_send)  # sync code: wrap the coroutine
        words = 0
        for done, line in enumerate(lines, start=1):
            time.sleep(SECONDS_PER_LINE)  # blocking is fine here: a SyncConsumer runs in a thread
            words += len(line.split())
            reply(
                message["reply_group"],
                {
                    "type": "count.progress",
                    "job_id": message["job_id"],
                    "done": done,
                    "total": len(lines),
                },
            )
        reply(
            message["reply_group"],
            {"type": "count.done", "job_id": message["job_id"], "words": words},
        )
