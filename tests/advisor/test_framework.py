import shutil

import pytest
import yaml

from advisor.errors import FrameworkError
from advisor.framework import load_framework
from tests.conftest import KNOWLEDGE


def test_bundled_framework_loads_with_the_required_shape(framework):
    assert [p.id for p in framework.phases] == [
        "validate_value",
        "production_infrastructure",
        "narrow_workflow",
        "agents_at_scale",
        "ax_alignment",
    ]
    assert len(framework.required_capabilities("ml")) == 9
    assert len(framework.required_capabilities("genai")) == 12
    assert len(framework.required_capabilities("agent")) == 16
    assert set(framework.required_capabilities("genai")) < set(framework.required_capabilities("agent"))
    assert framework.gate_from(5) is None
    assert [c.check for c in framework.gate_from(1).conditions] == ["has_business_owner", "kpi_defined", "kpi_measured"]
    agent_risks = {r.id for r in framework.risks if "agent" in r.applies_to}
    genai_risks = {r.id for r in framework.risks if "genai" in r.applies_to}
    assert genai_risks <= agent_risks
    assert {
        "orchestration_failures",
        "tool_dependency_errors",
        "permission_risks",
        "decision_chain_instability",
    } <= agent_risks


def test_required_capabilities_follow_framework_order(framework):
    order = [c.id for c in framework.capabilities]
    required = framework.required_capabilities("agent")
    assert required == sorted(required, key=order.index)


@pytest.fixture
def editable(tmp_path):
    """A copy of the bundled knowledge whose framework a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    path = target / "framework.yaml"
    data = yaml.safe_load(path.read_text())

    def write(mutate):
        mutate(data)
        path.write_text(yaml.safe_dump(data))
        return path

    return write


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["capabilities"].append(dict(d["capabilities"][0])), "duplicate id"),
        (lambda d: d["ai_types"]["ml"]["required_capabilities"].append("telepathy"), "unknown capability id"),
        (lambda d: d["risks"][0]["controls"].append("nope"), "risks.data_drift.controls"),
        (lambda d: d["gates"].pop(), "exactly one gate"),
        (lambda d: d["phases"][1].update(number=7), "numbered 1..5"),
        (lambda d: d["gates"][0]["conditions"][0].update(check="vibes"), "gates.0.conditions.0.check"),
        (lambda d: d["risks"][0].update(condition="stalled"), "exactly one of"),
        (lambda d: d["capabilities"][0]["ref"].update(section="No such heading"), "is not a heading of"),
        (lambda d: d["phases"][0]["ref"].update(doc="practices/missing.md"), "does not exist"),
        (lambda d: d["ai_types"].pop("agent"), "missing ['agent']"),
        (lambda d: d["capabilities"][0].pop("label"), "capabilities.0.label"),
        (lambda d: d["regions"][1]["aliases"].append("Nihon"), "regions (names and aliases"),
        (lambda d: d["regions"].append({"name": "viet nam"}), "['viet nam']"),
    ],
)
def test_bad_edits_fail_with_a_message_naming_the_field(editable, mutate, expected):
    path = editable(mutate)
    with pytest.raises(FrameworkError) as error:
        load_framework(path)
    assert expected in str(error.value)
    assert str(path) in str(error.value)


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "framework.yaml"
    path.write_text("phases: [unclosed\n")
    with pytest.raises(FrameworkError, match="not valid YAML"):
        load_framework(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(FrameworkError, match="cannot read"):
        load_framework(tmp_path / "framework.yaml")


@pytest.mark.parametrize(
    ("written", "region"),
    [
        ("Việt Nam", "Vietnam"),
        ("viet nam", "Vietnam"),
        ("베트남", "Vietnam"),
        ("ベトナム", "Vietnam"),
        ("한국", "Korea"),
        ("大韓民国", "Korea"),
        ("South Korea", "Korea"),
        ("日本", "Japan"),
        ("にほん", "Japan"),
        (" JAPAN ", "Japan"),
        ("Singapore", "Singapore"),  # not in the table: kept as written
    ],
)
def test_region_spellings_become_the_table_name(framework, written, region):
    assert framework.canonical_region(written) == region


@pytest.mark.parametrize(
    ("question", "regions"),
    [
        ("한국에서 진행 중인 생성형 AI 이니셔티브는 몇 개인가요?", ["Korea"]),  # with its particle
        ("các dự án ở Việt Nam", ["Vietnam"]),
        ("du an o viet nam", ["Vietnam"]),
        ("日本とベトナムのPoC", ["Japan", "Vietnam"]),
        ("what about korea?", ["Korea"]),
        ("how do we measure ROI?", []),
    ],
)
def test_questions_name_regions_in_any_language(framework, question, regions):
    assert sorted(framework.regions_in(question)) == regions
