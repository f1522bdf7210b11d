"""The client verdict's values: a finding, and the scene the rules judge (see `verdict`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from emulator.core.batch import View
from emulator.core.journal import JournalEntry
from emulator.core.reading import Reader

EVIDENCE_FIELDS = (
    "at",
    "wall",
    "method",
    "path",
    "dialect",
    "operation",
    "status",
    "retry_count",
    "retry_after",
    "state",
    "fault",
    "request_id",
)


@dataclass(frozen=True)
class Finding:
    rule: str
    batch_id: str | None
    dialect: str
    message: str
    evidence: tuple[JournalEntry, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON form `GET /_emulator/verdict` serves: evidence as the calls with times."""
        return {
            "rule": self.rule,
            "batch_id": self.batch_id,
            "dialect": self.dialect,
            "message": self.message,
            "evidence": [{k: getattr(e, k) for k in EVIDENCE_FIELDS} for e in self.evidence],
        }

    def __str__(self) -> str:
        where = f" {self.batch_id}" if self.batch_id else ""
        return f"[{self.rule}]{where} ({self.dialect}): {self.message}"


@dataclass
class Scene:
    """What the rules judge: every batch as it is now, and the calls, in arrival order."""

    views: list[View]
    entries: list[JournalEntry]
    read: Reader  # what reading results and failures means for each provider (its profile)
    _about: dict[str, list[JournalEntry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        files: dict[str, str] = {}
        for view in self.views:
            self._about[view.batch.id] = []
            for file_id in (view.batch.output_file_id, view.batch.error_file_id):
                if file_id is not None:
                    files[file_id] = view.batch.id
        for entry in self.entries:
            owner = entry.batch_id or (files.get(entry.file_id) if entry.file_id else None)
            if owner in self._about:
                self._about[owner].append(entry)

    def about(self, batch_id: str) -> list[JournalEntry]:
        """The calls about one batch: by its id, or downloading one of its result files."""
        return self._about.get(batch_id, [])


Rule = Callable[[Scene], Iterable[Finding]]
