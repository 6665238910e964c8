"""A chat bot behind a protocol of our own: ASGI beyond HTTP and WebSocket.

lineproto.py is the server (plain TCP, one line a message, scope type "chat"),
consumers.py the bot, asgi.py the application that routes "chat" to it.
"""
