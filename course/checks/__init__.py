"""Every exercise's checks, by name. One module per lesson; read them to see what is graded."""

from course.checks import (
    asgi_basics,
    chatbot,
    consumers,
    database,
    http_events,
    layers,
    middleware,
    redis_layer,
    security,
    testing,
    websocket_events,
    workers,
)
from course.grading.model import Exercise

# In lesson order.
MODULES = (
    asgi_basics,
    http_events,
    websocket_events,
    consumers,
    middleware,
    layers,
    database,
    redis_layer,
    workers,
    chatbot,
    testing,
    security,
)
EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise for module in MODULES for exercise in module.EXERCISES
}


def for_lesson(lesson: str) -> list[Exercise]:
    """The exercises of one lesson (its notebook's stem), in the order they are defined."""
    return [exercise for exercise in EXERCISES.values() if exercise.lesson == lesson]


__all__ = ["EXERCISES", "for_lesson"]
