"""Kernel → Interrupt stops a cell that awaits forever (ipykernel #881).

ipykernel runs a top-level ``await`` cell as an asyncio task on the kernel's own loop. On
SIGINT its handler only *schedules* the task's cancellation with a plain ``call_soon``, so
a loop asleep in ``select()`` never runs it: the cell stays busy, and the next message to
arrive wakes the loop, cancels the old cell and gets aborted with it. ``install()`` (called
by ``course.setup()``) wraps that handler while each top-level-await cell runs:

- the cell waits on something (the loop is idle or running another task): cancel the cell's
  task from the loop (``call_soon_threadsafe`` wakes it) and show one line instead of the
  CancelledError's traceback;
- the cell runs synchronous code itself: raise KeyboardInterrupt, as in a plain cell.

Around every request ipykernel sets Python's default SIGINT handler, which raises
KeyboardInterrupt wherever the main thread is: in a plain cell's code, as it should, but
also in ipykernel's own code after a cell, as it sends the reply; the reply is lost and the
frontend waits for it (seen: Interrupt pressed twice, the second landing as the cell ended).
``install()`` puts a handler there that raises only inside the cell's code, and otherwise
lets the signal go. A wakeup fd also wakes the loop when the signal lands on another thread
(macOS picks any thread).
"""

from __future__ import annotations

import asyncio
import linecache
import signal
import socket
import threading
from types import FrameType
from typing import Any

from course.display import ipython_shell

__all__ = ["install"]

CELL_CORO = "run_cell_async"  # IPython's coroutine: ipykernel makes it the cell's task
MESSAGE = "Interrupted: the cell was waiting on {} — variables and servers are kept."

_guard: _Guard | None = None
_wakeup: list[socket.socket] = []


def install() -> bool:
    """In an IPython kernel's main thread, make Interrupt stop awaiting cells; once per kernel.
    Elsewhere (a plain script, a terminal IPython, another thread) do nothing: False."""
    global _guard
    shell = ipython_shell()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    if _guard is not None and _guard.shell is shell:
        return True
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    _guard = _Guard(shell, loop)
    shell.events.register("pre_execute", _guard.before)
    shell.events.register("post_execute", _guard.after)
    _only_in_cells(shell.kernel, _guard)
    _wake_on_signals(loop)
    return True


def _only_in_cells(kernel: Any, guard: _Guard) -> None:
    """After ipykernel's ``pre_handler_hook`` has set Python's default SIGINT handler for a
    request, put ``guard.in_cells_only`` in its place (ipykernel restores its own after)."""
    hook = kernel.pre_handler_hook

    def pre_handler_hook() -> None:
        hook()
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, guard.in_cells_only)

    kernel.pre_handler_hook = pre_handler_hook


class _Guard:
    """The SIGINT handler of top-level-await cells, and what it needs to know."""

    def __init__(self, shell: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.shell = shell
        self.loop = loop
        self.cell: asyncio.Task[Any] | None = None  # the running top-level-await cell
        self.interrupted: asyncio.Task[Any] | None = None
        self.waiting_on = "an await"
        self.previous: Any = None  # the handler ours wraps (ipykernel's)
        self.borrowed = False  # IPython's custom-exception slot is ours for this cell
        self.handler = self.on_sigint  # one bound method, so `is` finds it again
        self.run_code = getattr(getattr(shell.run_code, "__func__", None), "__code__", None)

    def before(self) -> None:
        """pre_execute: inside ipykernel's task of an awaiting cell, wrap its SIGINT handler."""
        self.cell = self.interrupted = None
        task = asyncio.current_task(self.loop)
        name = getattr(task.get_coro(), "__qualname__", "") if task is not None else ""
        if task is None or not name.endswith(CELL_CORO):
            return  # a plain cell: ipykernel raises KeyboardInterrupt, as it should
        if threading.current_thread() is not threading.main_thread():
            return  # a subshell: signals reach the main thread only
        self.cell = task
        current = signal.getsignal(signal.SIGINT)
        if current is not self.handler:
            self.previous = current
            signal.signal(signal.SIGINT, self.handler)

    def after(self) -> None:
        """post_execute: give back the SIGINT handler and the custom-exception slot."""
        if signal.getsignal(signal.SIGINT) is self.handler:
            signal.signal(signal.SIGINT, self.previous or signal.default_int_handler)
        if self.borrowed and self.shell.custom_exceptions == (asyncio.CancelledError,):
            self.shell.set_custom_exc((), None)
        self.borrowed = False
        self.cell = self.interrupted = None

    def in_cells_only(self, signum: int, frame: FrameType | None) -> None:
        """SIGINT during a request: KeyboardInterrupt in a cell's code; elsewhere (IPython
        or ipykernel before or after the cell) nothing, as Interrupt between cells does."""
        if self.in_cell_code(frame):
            signal.default_int_handler(signum, frame)

    def on_sigint(self, signum: int, frame: FrameType | None) -> None:
        cell = self.cell
        if cell is None or cell.done():
            previous = self.previous
            if callable(previous) and previous is not signal.default_int_handler:
                previous(signum, frame)
            else:  # Python's default would raise in ipykernel's own code too
                self.in_cells_only(signum, frame)
        elif asyncio.current_task(self.loop) is cell and self.in_cell_code(frame):
            signal.default_int_handler(signum, frame)  # sync code: KeyboardInterrupt
        else:  # the cell awaits (or IPython, about to run or end it, is busy: it soon awaits)
            self.interrupted = cell
            self.waiting_on = _waiting_on(cell, self.run_code)
            self.loop.call_soon_threadsafe(self.cancel, cell)

    def in_cell_code(self, frame: FrameType | None) -> bool:
        """Is *frame* the cell's own code, or code it called, rather than IPython's? Only
        there may KeyboardInterrupt be raised: past run_code() it would stop the kernel."""
        child = None
        while frame is not None:
            if frame.f_code is self.run_code:
                return child is not None and child.f_code.co_filename != frame.f_code.co_filename
            child, frame = frame, frame.f_back
        return False

    def cancel(self, cell: asyncio.Task[Any]) -> None:
        """On the loop: cancel the cell; borrow the custom-exception slot to say so briefly."""
        if cell.done():
            return
        if not self.shell.custom_exceptions:
            self.shell.set_custom_exc((asyncio.CancelledError,), self.show)
            self.borrowed = True
        cell.cancel()

    def show(self, shell: Any, etype: Any, value: Any, tb: Any, tb_offset: Any = None) -> Any:
        """IPython's custom exception handler: one line for the interrupted cell."""
        if self.interrupted is None or asyncio.current_task(self.loop) is not self.interrupted:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        lines = [MESSAGE.format(self.waiting_on)]
        value._render_traceback_ = lambda: lines  # IPython shows this instead of a traceback
        shell.showtraceback((etype, value, tb))
        return lines


def _waiting_on(cell: asyncio.Task[Any], run_code: Any) -> str:
    """What the cell awaits, e.g. ``Event.wait() (line 3)``: the first coroutine it called that
    is not its own code, else its line; read down the await chain before the cancel."""
    try:
        chain = []
        coro: Any = cell.get_coro()
        while hasattr(coro, "cr_code"):
            chain.append(coro)
            coro = coro.cr_await
        codes = [c.cr_code for c in chain]
        if run_code not in codes[:-1]:
            return "an await"
        first = codes.index(run_code) + 1
        source = chain[first].cr_code.co_filename
        last = max(i for i, c in enumerate(chain) if c.cr_code.co_filename == source)
        line = chain[last].cr_frame.f_lineno
        if last + 1 < len(chain):
            callee = chain[last + 1]
            name = callee.cr_code.co_qualname
            if "." not in name:  # a function: say whose, e.g. asyncio.sleep()
                name = f"{callee.cr_frame.f_globals.get('__name__', '').split('.')[0]}.{name}"
            return f"{name.lstrip('.')}() (line {line})"
        text = linecache.getline(source, line).strip()
        return f"`{text}` (line {line})" if text else f"line {line}"
    except Exception:  # a description must never stop the interrupt
        return "an await"


def _wake_on_signals(loop: asyncio.AbstractEventLoop) -> None:
    """Wake the loop's select() on any signal, whichever thread the OS delivers it to, so
    Python runs the handler at once; unless something (asyncio itself) already does."""
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    old = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    if old != -1:  # already woken: give the fd back
        signal.set_wakeup_fd(old)
        reader.close()
        writer.close()
        return
    loop.add_reader(reader.fileno(), _drain, reader)
    _wakeup.extend((reader, writer))  # kept open for the kernel's life


def _drain(sock: socket.socket) -> None:
    try:
        while sock.recv(4096):
            pass
    except OSError:  # BlockingIOError: drained
        pass
