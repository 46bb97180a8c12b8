"""Explanation pages: one DecisionRecord -> a plain-language page, in a page language, Markdown or
HTML. Pure: records, the profile and the locale files in, text out; writing files is the jobs'.

``views``       what a page prints (``PageContext`` and its section views)
``words``       the locale files (``Words``), one per language
``speaking``    values, units, bins and links in words (``Speaker``)
``charts``      chart geometry: score bar, history, the site's factor chart
``editorial``   which pages a part links to, which lessons fit whom, impact levels
``templating``  the Jinja environments, Markdown escaping, the partial filters
``cache``       ``PageCache``: the parts a batch of pages reuses, built and rendered once
``builder``     ``PageRenderer``: record -> PageContext -> page
"""

from scorecard.pages.builder import PageRenderer, page_context, page_name, render_page
from scorecard.pages.views import PageContext

__all__ = ["PageContext", "PageRenderer", "page_context", "page_name", "render_page"]
