"""``run_load`` as a library (Airflow's tasks call it) changes nothing process-wide; the CLI opts in."""

from __future__ import annotations

import gc
import signal
import sys

from streamduck.load import run_load
from streamduck.process import stop_on_signals, tuned_for_loading
from tests.load.conftest import produce_people


def _process_state() -> tuple:
    return (
        gc.get_threshold(),
        sys.getswitchinterval(),
        signal.getsignal(signal.SIGTERM),
        gc.get_freeze_count(),
    )


def test_run_load_leaves_gc_switch_interval_and_signal_handlers_alone(settings, people) -> None:
    produce_people(settings, people, 500)
    before = _process_state()
    during = []
    report = run_load(
        settings, group="g-library", on_progress=lambda _report: during.append(_process_state())
    )
    assert sum(s.rows for s in report.streams) == 500
    assert during and all(state == before for state in during), (before, during[0])
    assert _process_state() == before


def test_the_entry_point_tuning_is_undone_on_exit() -> None:
    before = _process_state()
    with stop_on_signals() as stop, tuned_for_loading():
        assert gc.get_threshold()[0] == 100_000 and sys.getswitchinterval() < 0.001
        signal.raise_signal(signal.SIGTERM)  # handled: the event is set, the process lives on
        assert stop.is_set()
    assert _process_state() == before
