"""The knowledge-base site: the hand-written ``docs/`` plus pages generated from one scorecard.

``rendering``      the site's templates (Markdown pages, SVG, the 404 page), ``SiteFile``, links
``model_pages``    the model's pages and factor charts, pure
``persona_pages``  the pages of the personas that fit the model, pure
``plan``           every generated file and the MkDocs settings (navigation, languages), pure
``build``          the edges: knowledge-base titles, the site settings of a knowledge base, writing
                   the sources (links into pages this site does not generate left as words), the
                   MkDocs build, the search-worker mend

The job that runs it all is ``jobs.site.build_site``.
"""
