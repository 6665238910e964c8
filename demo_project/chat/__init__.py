"""The chat app: rooms over WebSockets, groups on the channel layer, history in the database."""
