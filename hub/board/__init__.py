"""The class board: a hub service that shows the instructor who is stuck where, live.

A Django Channels app, built the way the course teaches: each student's ``check()`` POSTs
its result with the student's own hub token (views.py); the view stores it through the async
ORM and sends it to the group ``board``; each instructor page has its consumer in that group
(consumers.py), which forwards the updated cell over the page's WebSocket. Only the hub's
admin may open it, through the hub's OAuth (hubauth.py). ``python -m hub.board`` serves it
with daphne, as the hub's service ``board``.
"""
