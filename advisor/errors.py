"""Domain errors. The edges (CLI, Slack) turn them into one clear message for the user."""

from __future__ import annotations


class AdvisorError(Exception):
    """Base of every error a user may see; its message is written for them."""


class ConfigError(AdvisorError):
    """A setting, token or the framework file is missing or wrong."""


class FrameworkError(ConfigError):
    """knowledge/framework.yaml does not validate."""


class RecordError(AdvisorError):
    """One or more initiative records in a file are invalid; nothing from that file was stored."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        super().__init__(f"{source}: {shown}")


class DuplicateIdError(RecordError):
    """Records of a file carry ids that another file already holds; nothing from the file was stored."""

    def __init__(self, source: str, holders: dict[str, str]):
        self.holders = holders  # id -> the source that holds it
        problems = [f"id {rid!r} is already defined in {holder}" for rid, holder in holders.items()]
        super().__init__(source, problems)


class ParseError(AdvisorError):
    """A document could not be read or parsed."""


class NotFoundError(AdvisorError):
    """An initiative (or other item) does not exist or is not visible to the requester."""


class StorageError(AdvisorError):
    """The database or the index could not be reached or written."""
