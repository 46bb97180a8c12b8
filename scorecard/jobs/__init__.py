"""The jobs: what each command does, end to end. Each job reads its inputs, calls the pure core
modules, writes its outputs and returns a small result whose ``summary()`` the CLI prints. A
``console`` (rich) may be passed for progress; ``None`` keeps a job quiet (tests, library use).

``data``     the demo population, checking a table against its profile
``profile``  a starting profile drafted from a table
``train``    fit a scorecard and write its spec
``score``    score a file (NumPy in memory, or DuckDB streaming)
``explain``  decision records, summary, rejects and pages of a batch, in chunks, on every core
``site``     the knowledge-base site of any model (and the records of the personas that fit it)
``demo``     the main job on demo data: data -> train -> explain personas -> site
``report``   the analyst's report and the PSI table on the terminal
``export``   the scorecard as SQL
``outputs``  the path guard, one lock per output, staged writes moved into place, the manifest
``files``    every file a job writes, and the names of record and page files
``pool``     the process pool that explains chunks in order
``console``  progress on the terminal

Every output path is chosen here. Below this layer, modules read their inputs (``data.read_table``,
``spec.load_spec``, profile and policy YAML) and write only where a job tells them (``spec.save_spec``,
``site.build``, ``duckdb_engine``), and every job passes its paths through ``outputs`` first.
"""
