"""One exception hierarchy for every message a user should read.

Each error carries a one-line message that names the file, key, column or row at fault and
says what to do. The CLI prints ``str(error)`` and exits with code 2; ``--debug`` shows the
traceback. Domain errors also subclass ``ValueError`` so callers' ``except ValueError`` works.
"""


class ScorecardError(ValueError):
    """Base of all user-facing errors."""


class ProfileError(ScorecardError):
    """A profile YAML file is missing, unreadable or does not match the profile schema."""


class DataError(ScorecardError):
    """An applicant table cannot be read or does not match its profile."""


class FitError(ScorecardError):
    """Training cannot produce a scorecard from the data (e.g. no factor survives selection)."""


class SpecError(ScorecardError):
    """A scorecard spec is missing, edited, truncated or written by a newer schema."""


class PolicyError(ScorecardError):
    """A decision policy YAML file is missing or invalid."""


class RenderError(ScorecardError):
    """A page cannot be rendered (missing template, locale key or record field)."""


class SiteError(ScorecardError):
    """The knowledge-base site cannot be built."""


class OutputError(ScorecardError):
    """An output cannot be written safely: it is an input or another output of the same run, a
    folder the command does not own, a folder another run is writing, or a path that cannot be written."""


class ScorecardNote(UserWarning):
    """Something a user should know that does not stop the command (e.g. a file read as GBK, or as
    ;-separated). Jobs ``warnings.warn`` it; the CLI prints it as one ``note:`` line on stderr."""
