"""What the chat stores: every message, so a newcomer sees the room's history."""

from django.conf import settings
from django.db import models


class Message(models.Model):
    """One chat message in one room."""

    room = models.CharField(max_length=50, db_index=True)
    # Guests have no account: user stays empty and author holds their guest name.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    author = models.CharField(max_length=150)
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        # id breaks ties: two messages may share a timestamp.
        ordering = ("created", "id")

    def __str__(self):
        return f"[{self.room}] {self.author}: {self.text[:40]}"
