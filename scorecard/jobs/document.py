"""The document job: read the model, the policy and a table, write the model document (HTML and
Markdown, one language) next to each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from rich.console import Console

from scorecard.data import read_table, split_valid_rows
from scorecard.errors import DataError
from scorecard.governance.document import document_view
from scorecard.governance.measures import assess
from scorecard.jobs import console as progress
from scorecard.jobs.outputs import Run, guard
from scorecard.pages import templating
from scorecard.pages.words import check_language
from scorecard.policy import default_policy, load_policy
from scorecard.spec import load_spec


@dataclass(frozen=True)
class DocumentResult:
    html: Path
    markdown: Path
    rows: int
    rejected: int

    def summary(self) -> str:
        return (f"evaluated {self.rows:,} rows ({self.rejected:,} left out as unscorable)\n"
                f"wrote {self.html}\nwrote {self.markdown}")


def _trusted_figures(view: dict) -> dict:
    """The SVG charts our own templates drew (escaped there) as Markup, so the page embeds them."""
    for section in view["sections"]:
        section["figures"] = [Markup(f) for f in section.get("figures", [])]
        for factor in section.get("factors", []):
            factor["chart"] = Markup(factor["chart"])
    return view


def render_document(view: dict, fmt: str) -> str:
    return templating.template(fmt, f"governance/document.{fmt}.j2").render(d=_trusted_figures(view))


def document(model: Path, data: Path, out: Path, *, policy: Path | None, lang: str,
             console: Console | None = None) -> DocumentResult:
    """Write the model document of ``model`` evaluated on ``data`` to ``out`` (``.html``) and the same
    path with ``.md``."""
    check_language(lang)
    out = Path(out)
    if out.suffix.lower() != ".html":
        raise DataError(f"--out {out}: give a file name ending in .html (the Markdown goes next to it as .md)")
    markdown = out.with_suffix(".md")
    guard(inputs={"--model": Path(model), "--data": Path(data), "--policy": policy},
          files={"--out": out, "--out (Markdown)": markdown})
    spec = load_spec(model)
    decision_policy = load_policy(policy) if policy is not None else default_policy()
    with Run("document") as run:
        run.lock(out)  # before the work: an output that cannot be written, or is being written, fails now
        run.lock(markdown)
        with progress.status(console, f"reading and scoring {data}"):
            valid, rejects = split_valid_rows(read_table(Path(data)), spec.profile, str(data))
            if len(valid) == 0:
                raise DataError(f"{data}: no row can be scored; check it with 'scorecard data check'")
            assessment = assess(spec, decision_policy, valid)
        rejected_rows = int(rejects["row"].nunique())
        by_column = {str(c): int(n) for c, n in
                     rejects.drop_duplicates(["row", "column"])["column"].value_counts().items()}
        view = document_view(spec, decision_policy, valid, assessment, source=Path(data).name, rejected=rejected_rows,
                             rejects_by_column=by_column, lang=lang)
        run.file(out).write_text(render_document(view, "html"), encoding="utf-8")
        run.file(markdown).write_text(render_document(view, "md"), encoding="utf-8")
        run.commit()  # both files move into place together, after both are written
    return DocumentResult(html=out, markdown=markdown, rows=len(valid), rejected=rejected_rows)
