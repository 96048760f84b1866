"""The scaling framework as data: phases, gates, capabilities and risks, loaded from YAML.

Admins edit ``knowledge/framework.yaml``; :func:`load_framework` validates it and every
reference to a knowledge document section, so a bad edit fails with a message naming the
field and what was expected.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from advisor.errors import FrameworkError
from advisor.text import HAN_RE, HANGUL_RE, KANA_RE, fold_accents

AIType = Literal["ml", "genai", "agent"]
AI_TYPES: tuple[str, ...] = ("ml", "genai", "agent")
CapabilityGroup = Literal["core", "ml", "genai", "agent"]
GateCheck = Literal[
    "has_business_owner",
    "kpi_defined",
    "kpi_measured",
    "required_capabilities",
    "kpi_target_met",
    "roadmap_linked",
]
RiskCondition = Literal["no_business_owner", "no_measured_kpi", "stalled"]

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ref(_Strict):
    """A knowledge document (path under knowledge/) and one of its section headings."""

    doc: str
    section: str


class Phase(_Strict):
    number: int = Field(ge=1)
    id: str
    name: str
    summary: str
    ref: Ref


class Capability(_Strict):
    id: str
    group: CapabilityGroup
    label: str
    description: str
    aliases: list[str] = Field(default_factory=list)
    ref: Ref


class AITypeSpec(_Strict):
    label: str
    required_capabilities: list[str] = Field(min_length=1)


class GateCondition(_Strict):
    check: GateCheck
    text: str


class Gate(_Strict):
    from_phase: int
    ref: Ref
    conditions: list[GateCondition] = Field(min_length=1)


class Risk(_Strict):
    id: str
    name: str
    applies_to: list[AIType] = Field(default_factory=list)
    condition: RiskCondition | None = None
    controls: list[str] = Field(default_factory=list)
    practices: list[str] = Field(default_factory=list)
    ref: Ref

    @field_validator("practices")
    @classmethod
    def _whole_sentences(cls, practices: list[str]) -> list[str]:
        for practice in practices:
            if not practice[:1].isupper():
                raise ValueError(
                    f"practice {practice!r} does not start a sentence; in a [flow, list] a comma ends the item, "
                    "so write each practice on its own '- ' line"
                )
        return practices

    @model_validator(mode="after")
    def _one_trigger(self) -> Risk:
        if bool(self.applies_to) == bool(self.condition):
            raise ValueError("a risk needs exactly one of `applies_to` (AI types) or `condition`")
        return self


class Region(_Strict):
    name: str = Field(min_length=1)  # how the region is shown and stored
    aliases: list[str] = Field(default_factory=list)  # other spellings and scripts, matched without case or accents

    def spellings(self) -> list[str]:
        return [self.name, *self.aliases]


class Framework(_Strict):
    version: int
    phases: list[Phase] = Field(min_length=2)
    capabilities: list[Capability] = Field(min_length=1)
    ai_types: dict[AIType, AITypeSpec]
    gates: list[Gate]
    risks: list[Risk]
    regions: list[Region] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        _no_duplicates("phases", [p.id for p in self.phases])
        _no_duplicates("capabilities", [c.id for c in self.capabilities])
        _no_duplicates("risks", [r.id for r in self.risks])
        _no_duplicates(
            "regions (names and aliases, without case or accents)",
            [s for r in self.regions for s in {_fold(x) for x in r.spellings()}],
        )
        numbers = [p.number for p in self.phases]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"phases must be numbered 1..{len(numbers)} in order, got {numbers}")
        missing_types = set(AI_TYPES) - set(self.ai_types)
        if missing_types:
            raise ValueError(f"ai_types: missing {sorted(missing_types)}; expected ml, genai and agent")
        known = {c.id for c in self.capabilities}
        for name, spec in self.ai_types.items():
            _known_ids(f"ai_types.{name}.required_capabilities", spec.required_capabilities, known)
        for risk in self.risks:
            _known_ids(f"risks.{risk.id}.controls", risk.controls, known)
        gated = sorted(g.from_phase for g in self.gates)
        if gated != numbers[:-1]:
            raise ValueError(
                f"gates: expected exactly one gate leaving each phase 1..{numbers[-1] - 1} "
                f"(the last phase has none), got from_phase {gated}"
            )
        return self

    @cached_property
    def _capabilities(self) -> dict[str, Capability]:
        return {c.id: c for c in self.capabilities}

    @property
    def last_phase(self) -> int:
        return self.phases[-1].number

    def phase(self, number: int) -> Phase:
        return self.phases[number - 1]

    def capability(self, capability_id: str) -> Capability:
        return self._capabilities[capability_id]

    def has_capability(self, capability_id: str) -> bool:
        return capability_id in self._capabilities

    @cached_property
    def _required(self) -> dict[str, list[str]]:
        return {
            name: [c.id for c in self.capabilities if c.id in set(t.required_capabilities)]
            for name, t in self.ai_types.items()
        }

    def required_capabilities(self, ai_type: str) -> list[str]:
        """Required capability ids for an AI type, in framework order."""
        return list(self._required[ai_type])

    def gate_from(self, phase_number: int) -> Gate | None:
        return next((g for g in self.gates if g.from_phase == phase_number), None)

    def risk(self, risk_id: str) -> Risk | None:
        return next((r for r in self.risks if r.id == risk_id), None)

    @cached_property
    def _region_by_spelling(self) -> dict[str, str]:
        return {_fold(spelling): r.name for r in self.regions for spelling in r.spellings()}

    def canonical_region(self, value: str) -> str:
        """The region's name in the table ("Việt Nam", "ベトナム" -> "Vietnam"), else the value itself."""
        return self._region_by_spelling.get(_fold(value), " ".join(value.split()))

    def regions_in(self, text: str) -> list[str]:
        """The regions a question names, in any spelling of the table (Korean particles allowed)."""
        text = _fold(text)
        found = []
        for spelling, name in self._region_by_spelling.items():
            if HANGUL_RE.search(spelling) or HAN_RE.search(spelling) or KANA_RE.search(spelling):
                hit = spelling in text
            else:
                hit = re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", text) is not None
            if hit and name not in found:
                found.append(name)
        return found

    def refs(self) -> list[tuple[str, Ref]]:
        """Every (owner, ref) pair, for validation and for citing."""
        pairs: list[tuple[str, Ref]] = [(f"phase {p.number}", p.ref) for p in self.phases]
        pairs += [(f"capability {c.id}", c.ref) for c in self.capabilities]
        pairs += [(f"gate from phase {g.from_phase}", g.ref) for g in self.gates]
        pairs += [(f"risk {r.id}", r.ref) for r in self.risks]
        return pairs


def _fold(text: str) -> str:
    return " ".join(fold_accents(unicodedata.normalize("NFKC", text)).lower().split())


def _no_duplicates(what: str, ids: list[str]) -> None:
    repeated = [i for i, n in Counter(ids).items() if n > 1]
    if repeated:
        raise ValueError(f"{what}: duplicate id(s) {repeated}")


def _known_ids(where: str, ids: list[str], known: set[str]) -> None:
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"{where}: unknown capability id(s) {unknown}; expected ids from `capabilities`")


def markdown_headings(text: str) -> list[str]:
    """Heading texts of a Markdown document, outside fenced code blocks."""
    headings, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            headings.append(match.group(2).strip())
    return headings


def load_framework(path: Path) -> Framework:
    """Load and validate the framework file and the document sections it cites."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FrameworkError(f"{path}: cannot read the framework file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise FrameworkError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise FrameworkError(f"{path}: expected a mapping with phases, capabilities, ai_types, gates, risks")
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(f"{path}: {_describe(exc)}") from exc
    _check_refs(framework, path.parent, path)
    return framework


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "top level"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def _check_refs(framework: Framework, knowledge_dir: Path, path: Path) -> None:
    headings: dict[str, list[str]] = {}
    for owner, ref in framework.refs():
        if ref.doc not in headings:
            doc = knowledge_dir / ref.doc
            if not doc.is_file():
                raise FrameworkError(f"{path}: {owner}: ref.doc {ref.doc!r} does not exist under {knowledge_dir}")
            headings[ref.doc] = markdown_headings(doc.read_text(encoding="utf-8"))
        if ref.section not in headings[ref.doc]:
            raise FrameworkError(f"{path}: {owner}: ref.section {ref.section!r} is not a heading of {ref.doc}")
