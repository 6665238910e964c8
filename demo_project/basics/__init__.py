"""Teaching pieces for the first lessons: raw ASGI app, echo consumers, SSE, the seed view."""
