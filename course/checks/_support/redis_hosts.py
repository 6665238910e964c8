"""Lesson 08's socket-timeout trap, graded: a CHANNEL_LAYERS setting fixed by the student.

A setting is graded by what Channels would build from it: each Redis alias's ``CONFIG``
goes to channels_redis's RedisChannelLayer, as ``get_channel_layer()`` does, and each host's
pool makes a connection object, never connected, whose ``socket_timeout`` is what each read
would get. No Redis is needed. Two facts of redis-py make the trap (lesson 08): a URL's query
wins over the other keys of a host dict, and of a name given twice in a query the first wins.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from course.checking.model import Fail, expect
from course.checking.runner import where_in_student_code

BACKEND = "channels_redis.core.RedisChannelLayer"
PATIENT = 30  # what the messages suggest: well over the pop
Setting = dict[str, Any]


def pop_seconds() -> float:
    """How long a consumer's blocking pop waits: RedisChannelLayer.brpop_timeout (5 s)."""
    from channels_redis.core import RedisChannelLayer

    return float(RedisChannelLayer.brpop_timeout)


def fixed_by(patient_layers: Callable[..., Any], given: Setting, what: str) -> Setting:
    """``patient_layers(a copy of given)``; a Fail that says which setting broke it."""
    try:
        got = patient_layers(copy.deepcopy(given))
    except (NotImplementedError, AssertionError):
        raise  # a stub is "not written yet"; a Fail speaks for itself
    except Exception as error:
        raise Fail(
            f"given {what}, patient_layers raised {type(error).__name__}: {error}"
            f"{where_in_student_code(error)}. The setting was {given!r}. A host is a URL "
            "string, or a dict whose 'address' is the URL and whose other keys go to redis-py."
        ) from None
    expect(
        got is not None,
        f"given {what}, patient_layers returned None: return the fixed copy of the setting.",
    )
    expect(
        isinstance(got, dict) and all(isinstance(got.get(a), dict) for a in given),
        f"given {what} ({given!r}), patient_layers returned {got!r}: return the whole setting, "
        "every alias mapped to its BACKEND and CONFIG, as it came in.",
    )
    return dict(got)


def _address(host: Any) -> str:
    return str(host.get("address", "")) if isinstance(host, dict) else str(host)


def _pools(alias: str, config: Any) -> list[Any]:
    """The connection pool of each host the layer would build from ``config``."""
    from channels_redis.core import RedisChannelLayer

    try:
        layer = RedisChannelLayer(**config)
    except (TypeError, ValueError) as error:
        raise Fail(
            f"RedisChannelLayer(**CONFIG) fails for the alias {alias!r}, CONFIG = {config!r}: "
            f"{error}. 'hosts' stays a list, its hosts URLs or dicts with an 'address'."
        ) from None
    pools = []
    for index, host in enumerate(config.get("hosts", [])):
        try:
            pools.append(layer.create_pool(index))
        except ValueError as error:
            raise Fail(
                f"redis-py cannot read the host {host!r} of the alias {alias!r}: {error} A URL "
                "has one '?': a parameter joins a query that is already there with '&'. "
                "Take the URL apart (urllib.parse.urlsplit), fix its query, put it together."
            ) from None
    return pools


def _where(pool: Any) -> dict[str, Any]:
    """Where a pool's connections go, and how (the plain options): all but its timeouts."""
    kwargs = {
        k: v
        for k, v in pool.connection_kwargs.items()
        if "timeout" not in k and isinstance(v, str | int | float | bool | None)
    }
    return {"connection_class": pool.connection_class.__name__, **kwargs}


def _same_server(alias: str, before: Any, after: Any, was: Any, now: Any) -> None:
    old, new = _where(was), _where(now)
    changed = {k: new.get(k) for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    lost_query = "?" not in _address(before) and "&" in urlsplit(_address(after)).path
    why = (
        " The URL had no query, so its first parameter starts with '?': after '&' it became "
        "part of the path, where redis-py looks for the database number."
        if lost_query
        else " Keep each host's server, password, database and options; change only how "
        "long a read may wait."
    )
    expect(
        not changed,
        f"the host {before!r} of the alias {alias!r} came back as {after!r}, which would connect "
        f"with {changed}, not { ({k: old.get(k) for k in changed}) }.{why}",
    )


def _outlasts(alias: str, before: Any, after: Any, pool: Any) -> None:
    pop = pop_seconds()
    timeout = pool.make_connection().socket_timeout
    if timeout is None or (isinstance(timeout, int | float) and timeout > pop):
        return
    said = parse_qs(urlsplit(_address(after)).query).get("socket_timeout", [])
    if after == before:
        why = "it came back unchanged. Fix every host of every Redis alias."
    elif len(said) > 1:
        why = (
            f"its URL gives socket_timeout {len(said)} times, {said}, and redis-py reads the "
            "first: replace the value that is there, do not add a second."
        )
    elif said and isinstance(after, dict) and after.get("socket_timeout") != timeout:
        why = (
            f"its 'socket_timeout' key says {after.get('socket_timeout')!r}, but the URL's query "
            f"says socket_timeout={said[0]}, and redis-py lets the URL's query win over the "
            "other keys: fix the timeout in the URL itself."
        )
    elif timeout == pop:
        why = "exactly as long as the pop: the read must outlast it, so give it longer."
    else:
        why = f"an idle consumer dies with 'Timeout reading from ...'. Give it {PATIENT} s."
    raise Fail(
        f"the host {after!r} of the alias {alias!r} gives up on a read after {timeout!r} s, "
        f"and the layer's blocking pop waits up to {pop:g} s: {why}"
    )


def grade_setting(patient_layers: Callable[..., Any], given: Setting, what: str) -> Setting:
    """Fail unless ``patient_layers(given)`` fixed every Redis host and changed nothing else."""
    got = fixed_by(patient_layers, given, what)
    for alias, entry in given.items():
        fixed = got[alias]
        if entry["BACKEND"] != BACKEND:
            expect(
                fixed == entry,
                f"the alias {alias!r} uses {entry['BACKEND']}, which makes no Redis connections, "
                f"and came back as {fixed!r}: leave other backends as they were.",
            )
            continue
        config, original = fixed.get("CONFIG") or {}, entry["CONFIG"]
        rest = {k: v for k, v in config.items() if k != "hosts"}
        expect(
            fixed.get("BACKEND") == BACKEND
            and rest == {k: v for k, v in original.items() if k != "hosts"},
            f"the alias {alias!r} came back as {fixed!r}; its BACKEND and every CONFIG key but "
            f"'hosts' stay as they were: {entry!r}.",
        )
        hosts, before = config.get("hosts") or [], original["hosts"]
        expect(
            isinstance(hosts, list) and len(hosts) == len(before),
            f"the alias {alias!r} had {len(before)} hosts, {before!r}, and came back with "
            f"{hosts!r}: fix each host of each Redis alias, and keep the list.",
        )
        for was_host, now_host, was, now in zip(
            before, hosts, _pools(alias, original), _pools(alias, config), strict=True
        ):
            _same_server(alias, was_host, now_host, was, now)
            _outlasts(alias, was_host, now_host, now)
    return got


__all__ = ["BACKEND", "PATIENT", "fixed_by", "grade_setting", "pop_seconds"]
