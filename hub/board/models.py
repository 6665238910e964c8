"""One row per ``check()`` a student ran on the hub."""

from django.db import models


class Attempt(models.Model):
    student = models.CharField(max_length=64)
    exercise = models.CharField(max_length=64)
    points = models.PositiveIntegerField()
    max_points = models.PositiveIntegerField()
    hints = models.PositiveIntegerField(default=0)
    at = models.DateTimeField()  # when the student's check() ran

    class Meta:
        indexes = (models.Index(fields=["student", "exercise"]),)
        ordering = ("at", "id")
