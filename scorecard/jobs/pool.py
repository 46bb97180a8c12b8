"""The process pool of the explain job: chunks of a batch explained by worker processes, their
results handed back in chunk order, with bounded memory.

A job sent to the pool is any object with ``run(*task, lines_to) -> result``; it is pickled once to
each worker. With ``lines_to`` (a JSON Lines file), each chunk writes its lines to a part file that
is appended to ``lines_to`` here, in chunk order, so the output is the same for any number of
processes.
"""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Iterator, Protocol, TypeVar

from scorecard.errors import ScorecardError

MAX_JOBS = 8  # the default number of processes: the usable CPUs, at most this many
R = TypeVar("R", covariant=True)


class ChunkJob(Protocol[R]):
    def run(self, *task: Any) -> R: ...


def default_jobs() -> int:
    """Processes for a job by default: the CPUs this process may use, at most ``MAX_JOBS``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cpus))


def append_file(fd: int, source: Path) -> None:
    """Append the file ``source`` at the position of the file descriptor ``fd`` (its end): in
    the kernel where it can (copy_file_range, which refuses O_APPEND descriptors), else by reading."""
    with source.open("rb") as part:
        size = os.fstat(part.fileno()).st_size
        done = 0
        try:
            while done < size:
                copied = os.copy_file_range(part.fileno(), fd, size - done)
                if copied == 0:
                    break
                done += copied
        except (AttributeError, OSError):  # not on this system or file system: copy through this process
            pass
        if done < size:
            part.seek(done)
            with open(fd, "wb", closefd=False) as out:
                shutil.copyfileobj(part, out, 1 << 24)


_WORKER_JOB: list[Any] = []  # the job of this worker process
PARENT_CHECK_SECONDS = 0.2


def _watch_parent(parent: int) -> None:
    """End this worker as soon as the process that started it is gone, however it ended (a
    SIGKILL leaves no chance to stop the pool): its parent then becomes another process."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _start_worker(job: ChunkJob[Any], parent: int) -> None:
    _WORKER_JOB[:] = [job]
    if os.getppid() != parent:  # the parent died while this worker started
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _run_chunk(*task: Any) -> Any:
    return _WORKER_JOB[0].run(*task)


def run_chunks(job: ChunkJob[R], tasks: Iterator[tuple[Any, ...]], jobs: int, lines_to: Path | None) -> Iterator[R]:
    """The results of ``job.run(*task, lines_to)`` for every task, in task order.

    ``jobs`` 1: in this process, each chunk appending to ``lines_to`` itself. Otherwise a pool of
    ``jobs`` worker processes with at most two chunks per worker in flight (bounded memory), each
    chunk writing its lines to a part file that is appended to ``lines_to`` here, in order.
    """
    if jobs <= 1:
        for task in tasks:
            yield job.run(*task, str(lines_to) if lines_to is not None else None)
        return
    with contextlib.ExitStack() as stack:
        lines = scratch = None
        if lines_to is not None:
            lines = os.open(lines_to, os.O_WRONLY)  # not O_APPEND: copy_file_range refuses it
            stack.callback(os.close, lines)
            os.lseek(lines, 0, os.SEEK_END)
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".explain-", dir=lines_to.parent)))

        def part(n: int) -> Path | None:
            return scratch / f"part-{n:06d}.jsonl" if scratch is not None else None

        def finish(n: int, future: Future) -> R:
            result = future.result()
            path = part(n)
            if path is not None and lines is not None:
                append_file(lines, path)
                path.unlink()
            return result

        # "spawn": workers start clean (no copy of this process's memory or threads) on every platform
        pool = stack.enter_context(ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
            initargs=(job, os.getpid())))
        try:
            pending: collections.deque[tuple[int, Future]] = collections.deque()
            for n, task in enumerate(tasks):
                path = part(n)
                pending.append((n, pool.submit(_run_chunk, *task, str(path) if path else None)))
                if len(pending) >= 2 * jobs:
                    yield finish(*pending.popleft())
            while pending:
                yield finish(*pending.popleft())
        except BrokenProcessPool as exc:
            raise ScorecardError(
                "a worker process stopped before its chunk was explained (out of memory?); run again with fewer "
                "--jobs, or --jobs 1 (a script that calls explain must start it under "
                "if __name__ == '__main__')") from exc
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
