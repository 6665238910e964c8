"""The course's commands.

python -m course exercises [--check]          exercises/ from solutions/
python -m course grade SUBMISSION.ipynb...    grade a class: a CSV and feedback files
python -m course guide [--check]              the workshop guide's schedules, figures and FAQ
python -m course nav [--check]                previous/next links at the end of each lesson
python -m course painpoints [--check]         docs/pain-points.md from the lessons' pain-N tags
"""

import sys


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "exercises":
        from course.grading.release import main as release

        return release(rest)
    if command == "grade":
        from course.grading.gradebook import main as grade

        return grade(rest)
    if command == "guide":
        from course.guide import main as guide

        return guide(rest)
    if command == "nav":
        from course.nav import main as nav

        return nav(rest)
    if command == "painpoints":
        from course.painpoints import main as painpoints

        return painpoints(rest)
    print(__doc__, file=sys.stderr)
    return 0 if command in ("-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
