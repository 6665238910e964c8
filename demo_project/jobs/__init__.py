"""Background work for lesson 10: a browser hands a slow job to a worker process.

- ``workers.WordCountWorker``  a consumer for the channel ``wordcount``, run by
  ``manage.py runworker wordcount``; it reports progress to the browser's group
- ``consumers.JobsConsumer``   the browser's WebSocket: queues jobs, relays what comes back
- ``views``                    a sync view that sends to the same group (and one that forgets how)
- ``asgi.application``         the demo's routes plus ``"channel": ChannelNameRouter(...)``

``config/settings_jobs.py`` points ``ASGI_APPLICATION`` and ``ROOT_URLCONF`` here, for
daphne and for runworker alike.
"""
