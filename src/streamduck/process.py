"""Process-wide settings only an entry point may change: signal handlers, the GC, the GIL's turns.

Library calls (``run_load``, ``run_transform``) never touch them: they also run inside Airflow's
task processes, whose signal handling and interpreter settings are Airflow's. The CLI commands,
which own their process, opt in.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def stop_on_signals(*signals: signal.Signals) -> Iterator[threading.Event]:
    """``signals`` (SIGTERM and SIGINT by default) set the yielded event: a graceful stop (finish the
    batch, commit, leave the group) instead of a KeyboardInterrupt that could cut it short. The
    previous handlers come back on exit. Outside the main thread nothing is installed."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.getsignal(sig) for sig in signals or (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def tuned_for_loading() -> Iterator[None]:
    """Fewer garbage-collector passes and shorter GIL turns while loading; undone on exit.

    kafka-python allocates several objects per record (none in reference cycles: refcounting frees
    them), and each batch keeps ~20 000 of them alive, so default thresholds run a collection every
    few hundred records over an ever larger heap (see docs/loader.md for the figures). Freezing the
    objects that exist at start (imported modules, parsed definitions) removes them from every
    later pass.

    DuckDB's Python binding takes the GIL between the tasks of a running query to check for
    Ctrl-C; while the consumer thread parses records it hands the GIL over only every switch
    interval (5 ms by default), so each check stalled the writer. A 0.2 ms interval removes most of
    that wait.
    """
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    sys.setswitchinterval(0.0002)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)
        gc.unfreeze()
