"""Every exercise's checks, by name. One module per lesson; read them to see what is graded."""

from course.checks import asgi_basics, chatbot
from course.grading.model import Exercise

EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise for module in (asgi_basics, chatbot) for exercise in module.EXERCISES
}


def for_lesson(lesson: str) -> list[Exercise]:
    """The exercises of one lesson (its notebook's stem), in the order they are defined."""
    return [exercise for exercise in EXERCISES.values() if exercise.lesson == lesson]


__all__ = ["EXERCISES", "for_lesson"]
