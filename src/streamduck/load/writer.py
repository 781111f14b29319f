"""The warehouse writer: a thread that owns the DuckDB file only while it commits.

Fetching (kafka-python, holds the GIL) and landing (DuckDB, releases the GIL while it works) overlap:
the consumer thread hands closed batches to this thread through a small bounded queue, which also
bounds memory. The writer opens the file read-write when it has work and closes it when the queue
has stayed empty for ``idle_s``, as soon as another process announces that it waits for the file (see
:class:`~streamduck.warehouse.connection.Waiters`), or after ``hold_s`` of continuous work, so that
readers (``streamduck sql``, ``status``) and other loaders of the same file get their turn: DuckDB
lets one process write a file, or several read it, never both.

With compare-and-set (exactly-once), classifier threads classify each batch on in-memory DuckDBs
of their own while the writer lands the ones before it (see :meth:`WarehouseWriter.classify_ahead`):
parsing and typing the JSON costs about as much as storing the rows, and the two then overlap on
separate cores instead of taking turns on one. A writer that is behind lands the classified
batches queued for it in one transaction (:func:`~streamduck.load.commit.commit_batches`).
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamduck.ksql.model import SourceDefinition
from streamduck.load.batch import Batch
from streamduck.load.commit import CommitResult, classify_ahead, commit_batches, rehearse
from streamduck.load.guarantee import EXACTLY_ONCE, Guarantee
from streamduck.warehouse.backend import DuckDBFile, Warehouse, retry_conflicts
from streamduck.warehouse.connection import Waiters
from streamduck.warehouse.failures import translated
from streamduck.warehouse.layout import ensure_source
from streamduck.warehouse.waits import WAITS

if TYPE_CHECKING:
    import duckdb

__all__ = ["WarehouseWriter", "WriterOptions"]

log = logging.getLogger(__name__)
_STOP = object()
MEMORY_PER_VALUE_BYTE = 32
"""Classifying a batch of large values takes many times their size (every expression of the full
classification holds its own copy of a chunk; docs/loader.md has the figure): 32 leaves room."""
_MIB = 1024 * 1024
CLASSIFIERS = 2
"""Threads classifying batches ahead. Two: when the consumer thread waits (for queue space, or at
the end of a backlog) the second uses its core, and a backlog's last batches are classified in
parallel instead of one after the other while the writer waits."""
GROUP_RECORDS = 150_000
"""A commit group takes no more batches once it holds this many records: past a row group
(122 880 rows), DuckDB writes the group's full row groups straight to the file, compressed, instead
of logging them to the WAL and compressing them again at the checkpoint."""
CHECKPOINT_WAL_MB = 64
"""Checkpoint after 64 MiB of WAL instead of DuckDB's 16: every checkpoint rewrites the table's last,
partly filled row group, so fewer, larger ones cost less; a larger WAL only moves the work to the
final checkpoint, which nothing overlaps (figures: docs/loader.md, *Performance design*). Typed
landing rows take about twice the WAL of the JSON text alone: 64 MiB is ~100 000 fake people, a
row group's worth, so each checkpoint leaves about one row group (reads scan fewer, fuller ones)."""


@dataclass(frozen=True)
class _Barrier:
    """Queued by :meth:`WarehouseWriter.drain`; resolved once everything queued before it is done."""

    done: Future[Any]


@dataclass(frozen=True)
class WriterOptions:
    """How the writer shares the warehouse file with other processes."""

    guarantee: Guarantee = EXACTLY_ONCE
    loader: str = "streamduck"
    max_value_bytes: int = 256 * 1024
    lock_wait_s: float = WAITS.load
    """How long to wait for another process to release the file before failing (WarehouseLocked)."""
    hold_s: float = 5.0
    """Longest time the file is held read-write in one go while batches keep coming and nobody
    announces a wait (DuckDB clients other than streamduck's cannot announce theirs)."""
    release_s: float = 0.1
    """Longest pause after releasing the file, during which readers and other loaders open it."""
    idle_s: float = 0.25
    """How long the file stays open without work before it is released."""
    queue_batches: int | None = None
    """Closed batches waiting for the writer, at most (back-pressure on fetching beyond that).

    Default: 6 with compare-and-set (exactly-once), where a writer that is behind commits the
    classified batches it finds queued in one transaction, so a deeper queue makes larger
    transactions; 2 otherwise, where the Kafka commit (at-most-once: before the warehouse,
    at-least-once: after it) should follow the warehouse closely: what a crash loses or
    redelivers grows with the queue."""
    memory_floor_mb: int = 128
    """DuckDB's memory limit while the writer holds the file, for batches of small values.

    A batch gets ``MEMORY_PER_VALUE_BYTE`` times its value bytes if that is more; if DuckDB still
    runs out, the batch is retried with twice and four times that, then with DuckDB's default (80% of
    RAM). Without a limit, DuckDB keeps every page it wrote in memory and RSS grows with the data."""


class WarehouseWriter:
    """Commits batches in order on its own thread; results come back through :meth:`results`."""

    def __init__(self, warehouse: Warehouse, definitions: Sequence[SourceDefinition], options: WriterOptions):
        self._warehouse = warehouse
        # Only a single-writer backend is shared by taking turns; a DuckLake connection stays open.
        self._turns = warehouse.single_writer
        self._definitions = list(definitions)
        self._options = options
        depth = options.queue_batches or (6 if options.guarantee.read_ahead else 2)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._held: Any = None
        """An item taken from the queue while grouping batches, to be handled next."""
        self._results: queue.Queue[tuple[Batch, CommitResult]] = queue.Queue()
        self._error: BaseException | None = None
        self._current: Any = None
        self.hold_count = 0
        self.lock_wait_total_s = 0.0
        self._waiters = Waiters(warehouse.path) if isinstance(warehouse, DuckDBFile) else None
        self._scratch = threading.local()
        """Each classifier thread's in-memory DuckDB (``.con``), used on that thread only."""
        self._scratches: list[duckdb.DuckDBPyConnection] = []
        self._classifier = ThreadPoolExecutor(
            max_workers=CLASSIFIERS, thread_name_prefix="streamduck-classify"
        )
        self._memory_mb: int | None = None
        self._thread = threading.Thread(target=self._run, name="streamduck-writer", daemon=True)

    def start(self) -> None:
        """Start the thread: it imports DuckDB and Arrow and prepares the layout straight away."""
        self._thread.start()

    def submit(self, batch: Batch) -> None:
        """Queue a batch for commit (blocks while the queue is full: back-pressure on fetching).

        With compare-and-set it is classified ahead, while the batches before it commit.
        """
        if self._options.guarantee.read_ahead and not batch.classified_ahead:
            self.classify_ahead(batch)
        self._put(batch)

    def classify_ahead(self, batch: Batch) -> None:
        """Start classifying ``batch`` on a classifier thread, without the file; :meth:`submit`
        commits it later (the writer waits for the classification first).

        Valid with compare-and-set only (:attr:`Guarantee.read_ahead`), which proves at commit that
        the warehouse holds none of the batch's records, so no record needs filtering against the
        stored offsets at classification time.
        """
        batch.staging = self._classifier.submit(self._classify, batch)

    def _classify(self, batch: Batch) -> None:
        con = getattr(self._scratch, "con", None)
        if con is None:
            import duckdb

            con = self._scratch.con = duckdb.connect()
            con.execute("SET threads = 1")
            self._scratches.append(con)
        classify_ahead(con, batch, self._options.max_value_bytes)

    def call(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run ``fn(connection)`` on the writer thread after the queued batches; return its result."""
        return self.call_soon(fn).result()

    def call_soon(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Future[Any]:
        """Queue ``fn(connection)`` after the queued batches; its result comes through the future.

        For callers that must not wait for the file (it may be held by another process for up to
        ``lock_wait_s``): they check the future and do other work meanwhile.
        """
        future: Future[Any] = Future()
        self._put((fn, future))
        return future

    def drain(self) -> None:
        """Wait until every queued batch is committed (or the writer failed).

        The barrier needs no connection: draining an idle writer does not reopen the file.
        """
        barrier: Future[Any] = Future()
        self._put(_Barrier(barrier))
        barrier.result()

    def results(self) -> list[tuple[Batch, CommitResult]]:
        """Commit results not yet collected, oldest first."""
        items = []
        while True:
            try:
                items.append(self._results.get_nowait())
            except queue.Empty:
                return items

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._classifier.shutdown(wait=True, cancel_futures=True)
        if self._waiters is not None:
            self._waiters.close()
        for con in self._scratches:
            con.close()
        self.raise_if_failed()

    def _put(self, item: Any) -> None:
        while True:
            self.raise_if_failed()
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def raise_if_failed(self) -> None:
        """Re-raise, on the caller's thread, the error that stopped the writer (if any)."""
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            self._warm_up()
            while True:
                item = self._get()
                if item is _STOP:
                    return
                if isinstance(item, _Barrier):
                    self._handle(None, item)
                    continue
                self._current = item
                if not self._session(item):
                    return
        except BaseException as exc:  # handed to the consumer thread, which re-raises it
            # Translated here, where the chain is intact: re-raised on the consumer thread inside
            # exception handlers, its context would be replaced (a full disk shows up as the
            # failed COMMIT's "cannot rollback", which only its context explains).
            self._error = translated(exc, self._warehouse.location) or exc
            current = self._current
            if isinstance(current, tuple) and not current[1].done():
                current[1].set_exception(self._error)
            self._fail_pending(self._error)

    def _warm_up(self) -> None:
        """Create the layout while the consumer starts (its positions wait for it). Without
        classification ahead, also import Arrow and rehearse a batch's statements, which the first
        commit would otherwise wait for; with it, the classifier threads do that work themselves."""
        inline = not self._options.guarantee.read_ahead
        con = self._warehouse.connect(wait_s=self._options.lock_wait_s)
        try:
            if inline:
                import pyarrow as pa

                # pyarrow's first binary conversion costs ~1 s of one-time setup: pay it now,
                # hidden behind the group join, not on the first batch.
                con.register("_streamduck_warm", pa.table({"value": pa.array([b"{}"], pa.binary())}))
                con.execute("SELECT count(*) FROM _streamduck_warm").fetchall()
                con.unregister("_streamduck_warm")
            for definition in self._definitions:
                # Loaders starting together on a DuckLake all replace the view: the losers retry.
                retry_conflicts(functools.partial(ensure_source, con, definition))
                if inline:
                    rehearse(con, definition, self._options.max_value_bytes)
        finally:
            con.close()

    def _session(self, item: Any) -> bool:
        """Hold the file for a run of queued items; False once the stop marker was seen."""
        started = time.monotonic()
        con = self._warehouse.connect(wait_s=self._options.lock_wait_s)
        # One DuckDB thread: the consumer thread and the broker need the other cores more.
        con.execute("SET threads = 1")
        self._memory_mb = None  # a new connection starts with DuckDB's default
        con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_WAL_MB}MB'")
        # No vacuum: after the file is reopened, appends start a new row group, and the next
        # checkpoint's vacuum merged it with the previous one: 1.6 s and +150 MiB of RSS in one
        # commit (at ~650 000 rows). Raw tables are append-only, so nothing else needs vacuuming;
        # the cost is a partly filled row group per session (9 instead of 7 for 800 000 rows).
        con.execute("SET max_vacuum_tasks = 0")
        self.lock_wait_total_s += time.monotonic() - started
        self.hold_count += 1
        try:
            deadline = time.monotonic() + self._options.hold_s
            while True:
                self._handle(con, item)
                if not self._turns:  # nobody waits for a DuckLake: keep the connection
                    item = self._get()
                    if item is _STOP:
                        return False
                    continue
                waiting = self._waiters is not None and self._waiters.present()
                if waiting or time.monotonic() >= deadline:
                    break
                try:  # a short wait: each release costs a checkpoint, so bridge gaps between batches
                    item = self._get(timeout=self._options.idle_s)
                except queue.Empty:
                    return True
                if item is _STOP:
                    return False
        finally:
            con.close()
        self._let_others_in(waiting)
        return True

    def _let_others_in(self, announced: bool) -> None:
        """Pause until the announced waiters have opened the file, or ``release_s`` at most."""
        if not announced:
            time.sleep(self._options.release_s)
            return
        until = time.monotonic() + self._options.release_s
        while self._waiters is not None and self._waiters.present() and time.monotonic() < until:
            time.sleep(0.005)

    def _get(self, timeout: float | None = None) -> Any:
        """The next item: the one held back while grouping, else the queue's (queue.Empty on timeout)."""
        if self._held is not None:
            item, self._held = self._held, None
            return item
        return self._queue.get(timeout=timeout)

    def _more(self, group: list[Batch]) -> Callable[[], Batch | None]:
        """What a commit group asks for further batches: the next queued batch classified ahead,
        once classified, until the group holds :data:`GROUP_RECORDS` records or the queue holds
        something else (held back, handled next) or nothing."""

        def more() -> Batch | None:
            if sum(b.records for b in group) >= GROUP_RECORDS:
                return None
            try:
                item = self._get(timeout=0)
            except queue.Empty:
                return None
            if not isinstance(item, Batch) or not item.classified_ahead:
                self._held = item
                return None
            if item.staging is not None:
                item.staging.result()  # raises what classifying it raised
            return item

        return more

    def _handle(self, con: duckdb.DuckDBPyConnection | None, item: Any) -> None:
        self._current = item
        if isinstance(item, _Barrier):
            item.done.set_result(None)
            return
        if isinstance(item, Batch):
            assert con is not None, "batches are handled inside a session"
            if item.staging is not None:
                item.staging.result()  # raises what classifying it raised
            group = [item]
            more = self._more(group) if item.classified_ahead else None
            for batch, result in zip(group, self._commit(con, group, more), strict=True):
                self._results.put((batch, result))
            return
        fn, future = item
        try:
            future.set_result(fn(con))
        except Exception as exc:
            future.set_exception(exc)

    def _commit(
        self, con: duckdb.DuckDBPyConnection, batches: list[Batch], more: Callable[[], Batch | None] | None
    ) -> list[CommitResult]:
        """Commit ``batches`` in one transaction; a commit conflict with a concurrent writer
        (DuckLake) re-runs it whole.

        The re-run reads the stored offsets anew: if the other writer took these batches'
        partitions (a rebalance), the compare-and-set now finds them stale; otherwise they land.
        """
        retried = 0
        names = ", ".join(sorted({b.definition.name for b in batches}))

        def count(exc: BaseException) -> None:
            nonlocal retried
            retried += 1
            log.info("stream %s: commit conflict %d, retrying: %s", names, retried, exc)

        return retry_conflicts(
            lambda: self._commit_within_memory(con, batches, more, retried), on_retry=count
        )

    def _commit_within_memory(
        self,
        con: duckdb.DuckDBPyConnection,
        batches: list[Batch],
        more: Callable[[], Batch | None] | None,
        conflicts_retried: int,
    ) -> list[CommitResult]:
        """Commit under a memory limit sized from the largest batch; more memory if DuckDB runs out."""
        import duckdb

        options = self._options
        largest = max(batches, key=lambda b: b.bytes)
        base = max(options.memory_floor_mb, MEMORY_PER_VALUE_BYTE * largest.bytes // _MIB)
        # Rounded up to a power of two: batches of about the same size then share one limit,
        # and changing it (a buffer-pool pass) costs ~10 ms per batch otherwise.
        base = 1 << (base - 1).bit_length()
        for limit_mb in (base, 2 * base, 4 * base, None):  # None: DuckDB's default, 80% of RAM
            self._limit_memory(con, limit_mb)
            try:
                return commit_batches(
                    con, batches, guarantee=options.guarantee, loader=options.loader,
                    max_value_bytes=options.max_value_bytes, conflicts_retried=conflicts_retried, more=more,
                )  # fmt: skip
            except duckdb.OutOfMemoryException:  # rolled back: retry the whole batch with more
                if limit_mb is None:
                    raise
                log.warning(
                    "stream %s: a batch of %d records (%d value bytes) needed more than %d MiB",
                    largest.definition.name, largest.records, largest.bytes, limit_mb,
                )  # fmt: skip
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _limit_memory(self, con: duckdb.DuckDBPyConnection, limit_mb: int | None) -> None:
        if limit_mb != self._memory_mb:
            con.execute("RESET memory_limit" if limit_mb is None else f"SET memory_limit = '{limit_mb}MB'")
            self._memory_mb = limit_mb

    def _fail_pending(self, exc: BaseException) -> None:
        while True:
            try:
                item = self._get(timeout=0)
            except queue.Empty:
                return
            if isinstance(item, tuple):
                item[1].set_exception(exc)
            elif isinstance(item, _Barrier):
                item.done.set_exception(exc)
