"""Progress on the terminal for the jobs: a spinner, a bar fed by stages, a bar by count. Without a
console (tests, library use), or when the console is not a terminal (stderr sent to a file or a
pipe, where a bar would only leave blank lines before an error), they do nothing."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

StageProgress = Callable[[str, float, float], None]  # (stage, done, total)


def _live(console: Console | None) -> bool:
    return console is not None and console.is_terminal


@contextlib.contextmanager
def status(console: Console | None, message: str) -> Iterator[None]:
    """A spinner for a step without a measurable length."""
    if not _live(console):
        yield
    else:
        with console.status(message):
            yield


@contextlib.contextmanager
def stages(console: Console | None, title: str) -> Iterator[StageProgress | None]:
    """A progress bar fed by ``(stage, done, total)`` callbacks (``None`` without a console)."""
    if not _live(console):
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(title, total=None)

        def update(stage: str, done: float, total: float) -> None:
            bar.update(task, description=f"{title}: {stage}", completed=done, total=total)

        yield update


@contextlib.contextmanager
def counting(console: Console | None) -> Iterator[Progress | None]:
    """A progress bar of items done against a total (``None`` without a console)."""
    if not _live(console):
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        yield bar
