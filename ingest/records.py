"""Initiative records from CSV, YAML and JSON files, validated all-or-nothing per file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from advisor.errors import RecordError
from advisor.framework import Framework
from advisor.portfolio.records import RECORD_FIELDS, Initiative

RECORD_SUFFIXES = {".csv", ".yaml", ".yml", ".json"}
_REQUIRED_COLUMNS = ("id", "name", "business_unit", "region", "ai_type", "phase", "phase_since")


def load_records(path: Path, framework: Framework, label: str | None = None) -> list[Initiative]:
    """Read and validate every record of one file.

    Raises :class:`RecordError` listing every problem (file, row or record, field, what was
    expected) if any record is invalid; then nothing from the file should be stored.
    """
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(label, [f"cannot read the file as UTF-8 text ({exc})"]) from exc
    if path.suffix.lower() == ".csv":
        raw = _csv_rows(text, label)
    else:
        raw = _structured_rows(text, path.suffix.lower(), label)
    if not raw:
        raise RecordError(label, ["no initiative records found"])
    records, problems = [], []
    for where, data in raw:
        record = _validate(where, data, framework, problems)
        if record is not None:
            records.append(record)
    seen: dict[str, str] = {}
    for where, data in raw:
        rid = str(data.get("id") or "").strip()
        if rid and rid in seen:
            problems.append(f"{where}: field 'id': duplicate id {rid!r} (also at {seen[rid]})")
        seen.setdefault(rid, where)
    if problems:
        raise RecordError(label, problems)
    return records


def _csv_rows(text: str, label: str) -> list[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    if not header:
        raise RecordError(label, ["empty CSV: expected a header row with " + ", ".join(RECORD_FIELDS)])
    unknown = [h for h in header if h not in RECORD_FIELDS]
    missing = [c for c in _REQUIRED_COLUMNS if c not in header]
    if unknown or missing:
        problems = [f"header: unknown column {h!r}" for h in unknown]
        problems += [f"header: missing required column {c!r}" for c in missing]
        problems.append("expected columns: " + ", ".join(RECORD_FIELDS))
        raise RecordError(label, problems)
    reader.fieldnames = header
    rows = []
    line = reader.line_num
    for row in reader:
        if None in row:
            raise RecordError(label, [f"line {line + 1}: more values than the {len(header)} columns"])
        if any((v or "").strip() for v in row.values()):
            rows.append((f"line {line + 1}", row))
        line = reader.line_num
    return rows


def _structured_rows(text: str, suffix: str, label: str) -> list[tuple[str, dict]]:
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if suffix == ".json" else "YAML"
        raise RecordError(label, [f"not valid {kind}: {exc}"]) from exc
    if isinstance(data, dict) and "initiatives" in data:
        data = data["initiatives"]
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise RecordError(label, ["expected a list of records, or a mapping with an `initiatives` list"])
    rows = []
    for number, item in enumerate(data, start=1):
        where = f"record {number}"
        if not isinstance(item, dict):
            raise RecordError(label, [f"{where}: expected a mapping of fields, got {type(item).__name__}"])
        rows.append((where, item))
    return rows


def _validate(where: str, data: dict, framework: Framework, problems: list[str]) -> Initiative | None:
    rid = str(data.get("id") or "").strip()
    where = f"{where} (id {rid})" if rid else where
    try:
        record = Initiative.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"]) or "record"
            got = error.get("input")
            shown = (
                "" if isinstance(got, dict) or error["type"] in ("missing", "extra_forbidden") else f" (got {got!r})"
            )
            problems.append(f"{where}: field '{field}': {_explain(field, error)}{shown}")
        return None
    unknown = [c for c in record.capabilities if not framework.has_capability(c)]
    if unknown:
        known = ", ".join(c.id for c in framework.capabilities)
        problems.append(
            f"{where}: field 'capabilities': unknown id(s) {', '.join(unknown)}; expected ids from: {known}"
        )
        return None
    return record.model_copy(update={"region": framework.canonical_region(record.region)})


_EXPECTED = {
    "ai_type": "expected one of ml, genai, agent",
    "phase": "expected a whole number from 1 to 5",
    "phase_since": "expected an ISO date (YYYY-MM-DD) not in the future",
    "visibility": "expected public or restricted",
    "id": "expected letters, digits, '.', '_' or '-' (no spaces)",
}


def _explain(field: str, error: dict) -> str:
    if error["type"] == "missing":
        return "required but missing"
    if error["type"] == "extra_forbidden":
        return "unknown field; expected fields: " + ", ".join(RECORD_FIELDS)
    message = error["msg"][0].lower() + error["msg"][1:]
    if field in _EXPECTED and error["type"] != "value_error":
        return f"{_EXPECTED[field]}; {message}"
    return message
