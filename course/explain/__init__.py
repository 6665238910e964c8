"""Below a classic Channels error: what happened, why, the fix, and the lesson cell.

``%load_ext course.explain`` (``course.setup()`` does it) loads the extension.
"""

from course.explain.extension import (
    Explanation,
    explain,
    load_ipython_extension,
    unload_ipython_extension,
)

__all__ = ["Explanation", "explain", "load_ipython_extension", "unload_ipython_extension"]
