"""Initiative records and who may see them."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from advisor.access import Requester
from advisor.framework import AIType

RECORD_FIELDS = (
    "id",
    "name",
    "business_unit",
    "region",
    "ai_type",
    "phase",
    "phase_since",
    "business_owner",
    "tech_owner",
    "kpi_name",
    "kpi_baseline",
    "kpi_target",
    "kpi_current",
    "capabilities",
    "risks",
    "roadmap_goal",
    "visibility",
    "allowed",
    "notes",
)
LIST_FIELDS = ("capabilities", "risks", "allowed")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class Initiative(BaseModel):
    """One AI initiative of the portfolio, as imported from CSV, YAML or JSON."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1)
    business_unit: str = Field(min_length=1)
    region: str = Field(min_length=1)
    ai_type: AIType
    phase: int = Field(ge=1, le=5)
    phase_since: date
    business_owner: str | None = None
    tech_owner: str | None = None
    kpi_name: str | None = None
    kpi_baseline: float | None = None
    kpi_target: float | None = None
    kpi_current: float | None = None
    capabilities: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    roadmap_goal: str | None = None
    visibility: Literal["public", "restricted"] = "public"
    allowed: list[str] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("ai_type", "visibility", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("visibility", mode="before")
    @classmethod
    def _public_unless_said(cls, value: object) -> object:
        blank = value is None or (isinstance(value, str) and not value.strip())  # an empty spreadsheet cell
        return "public" if blank else value

    @field_validator("kpi_baseline", "kpi_target", "kpi_current", mode="before")
    @classmethod
    def _plain_number(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().removesuffix("%").strip()
            return text.replace(",", "") if _THOUSANDS.match(text) else text
        return value

    @field_validator("capabilities", "risks", "allowed", mode="before")
    @classmethod
    def _split_list(cls, value: object, info) -> object:
        if value is None:
            return []
        if isinstance(value, str):  # ids never hold commas, so they may separate ids too
            value = re.split(r"[;,]" if info.field_name != "risks" else ";", value)
        if isinstance(value, list):
            return [str(v).strip() for v in value if v is not None and str(v).strip()]
        return value

    @field_validator("phase", mode="before")
    @classmethod
    def _phase_number(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().lower().removeprefix("phase").strip()
            return text
        return value

    @field_validator("phase_since")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError(f"date {value.isoformat()} is in the future")
        return value

    @model_validator(mode="after")
    def _restricted_has_audience(self) -> Initiative:
        if self.visibility == "restricted" and not self.allowed:
            raise ValueError(
                "visibility is 'restricted' but `allowed` is empty; list the Slack user or channel ids that may see it"
            )
        return self

    @property
    def has_measured_kpi(self) -> bool:
        return self.kpi_current is not None

    def visible_to(self, requester: Requester) -> bool:
        return requester.can_see(self.visibility, self.allowed)


def _number(value: float | None) -> str:
    return "not set" if value is None else f"{value:g}"


def record_sentences(record: Initiative, ai_label: str, phase_name: str, capability_labels: list[str]) -> list[str]:
    """The record as self-contained sentences: what is indexed for search and quoted in answers."""
    name = record.name
    sentences = [
        f"{name} ({record.id}) is in phase {record.phase} ({phase_name}) since {record.phase_since.isoformat()}.",
        f"{name} is {'an' if ai_label[0].lower() in 'aeiou' else 'a'} {ai_label} initiative of "
        f"{record.business_unit} in {record.region}.",
        f"The business owner of {name} is {record.business_owner}."
        if record.business_owner
        else f"{name} has no named business owner.",
    ]
    if record.tech_owner:
        sentences.append(f"The technical owner of {name} is {record.tech_owner}.")
    if record.kpi_name:
        current = "no measured value yet" if record.kpi_current is None else f"current {record.kpi_current:g}"
        sentences.append(
            f"The KPI of {name} is {record.kpi_name}: baseline {_number(record.kpi_baseline)}, "
            f"target {_number(record.kpi_target)}, {current}."
        )
    else:
        sentences.append(f"{name} has no business KPI defined.")
    sentences.append(
        f"Capabilities in place for {name}: {', '.join(capability_labels)}."
        if capability_labels
        else f"No capabilities are recorded as in place for {name}."
    )
    sentences.append(
        f"{name} is linked to the enterprise roadmap goal: {record.roadmap_goal.rstrip('.')}."
        if record.roadmap_goal
        else f"{name} is not linked to an enterprise roadmap goal."
    )
    if record.risks:
        sentences.append(f"Risks noted by the team for {name}: {', '.join(record.risks)}.")
    if record.notes:
        sentences.append(" ".join(record.notes.split()))
    return sentences
