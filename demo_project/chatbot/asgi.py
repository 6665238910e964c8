"""The application the line server serves: the demo's, plus the custom "chat" scope type.

config/asgi.py routes "http" and "websocket" and (rightly) refuses any other scope type.
This router hands those two to it and adds "chat", so one application serves all three.
"""

from channels.routing import ProtocolTypeRouter

from config.asgi import application as web_application

from .consumers import BotConsumer

application = ProtocolTypeRouter(
    {
        "http": web_application,
        "websocket": web_application,
        # Our own protocol: one BotConsumer instance per line-server connection
        "chat": BotConsumer.as_asgi(),
    }
)
