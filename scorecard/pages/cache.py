"""The page cache: what a batch of explanation pages reuses, behind two calls.

Pages of one batch repeat most of their parts: the same factor cards, reasons, plan steps, link
lists, outcome and financing sections come back on thousands of pages. A renderer therefore keeps one
``PageCache``:

``view(kind, key, build)``
    the view of ``kind`` for ``key`` (the record fields it follows from), built once: later calls
    with an equal key return the same object;
``partial(name, view)`` (and ``each``; the template filters of ``pages.templating``)
    ``explain/_partials/<name>.<fmt>.j2`` rendered for ``view``. A view that ``view()`` built is
    rendered once and the text reused; any other is rendered each time.

So the domain code builds plain views and the templates decide which partial prints what: nothing
in Python lists the sections of a page. A cached page is the same text as an uncached one (a test
holds the two equal); ``limit`` bounds the memory (everything is dropped when it is reached, and a
renderer made with ``limit=0`` reuses nothing).
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable, TypeVar

from markupsafe import Markup

from scorecard.pages import templating

V = TypeVar("V")
LIMIT = 200_000  # views kept before the cache starts again


class PageCache:
    def __init__(self, fmt: str, t: dict[str, Any], *, limit: int = LIMIT) -> None:
        self.fmt = fmt
        self.t = t
        self.limit = limit
        self._views: dict[tuple[str, Hashable], Any] = {}
        self._built: dict[int, Any] = {}  # id -> view, for every view in _views (keeps ids unique)
        self._rendered: dict[tuple[int, str, int], Markup] = {}
        self._templates: dict[str, Any] = {}

    def view(self, kind: str, key: Hashable, build: Callable[[], V]) -> V:
        found = self._views.get((kind, key))
        if found is None:
            found = build()
            if self.limit <= 0:
                return found
            if len(self._views) >= self.limit:
                self.clear()
            self._views[(kind, key)] = found
            self._built[id(found)] = found
        return found

    def clear(self) -> None:
        self._views.clear()
        self._built.clear()
        self._rendered.clear()

    def partial(self, name: str, view: Any, n: int = 0) -> Markup:
        if view is None:  # a section the page does not have (history with one snapshot)
            return Markup("")
        if id(view) not in self._built:
            return self._render(name, view, n)
        key = (id(view), name, n)
        found = self._rendered.get(key)
        if found is None:
            found = self._rendered[key] = self._render(name, view, n)
        return found

    def each(self, name: str, views: Iterable[Any], *, numbered: bool = False) -> Markup:
        return Markup("".join([self.partial(name, view, n if numbered else 0) for n, view in enumerate(views, 1)]))

    def _render(self, name: str, view: Any, n: int) -> Markup:
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = templating.template(self.fmt, f"explain/_partials/{name}.{self.fmt}.j2")
        return Markup(found.render(v=view, t=self.t, n=n, pages=self))
