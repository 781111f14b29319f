"""A process waiting for the warehouse file announces it, and the holder sees the announcement."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from streamduck.warehouse.connection import Waiters, connect

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


def test_waiting_reader_is_announced_until_it_gets_in(tmp_path):
    path = tmp_path / "w.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        waiters = Waiters(path)
        assert not waiters.present()
        opened = []
        reader = threading.Thread(target=lambda: opened.append(connect(path, read_only=True, wait_s=20)))
        reader.start()
        deadline = time.monotonic() + 10
        while not waiters.present():
            assert time.monotonic() < deadline, "the waiting reader never announced itself"
            time.sleep(0.01)
        holder.stdin.write("\n")
        holder.stdin.flush()
        reader.join(20)
        assert opened and opened[0].execute("SELECT 42").fetchone() == (42,)
        assert not waiters.present()  # in, so no longer waiting
        opened[0].close()
        waiters.close()
    finally:
        holder.kill()
        holder.wait()
