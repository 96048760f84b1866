import pytest

from advisor.portfolio.records import Initiative

SAMPLE = [
    ("CLM-001", "Claims Triage Assistant", "Insurance Operations", "Japan", "genai", 2),
    ("DEM-002", "Store Demand Forecasting", "Retail Merchandising", "Korea", "ml", 3),
    ("ENG-012", "Building Energy Forecasting", "Facilities", "Korea", "ml", 1),
    ("TRI-011", "Patient Triage and Scheduling Agent", "Healthcare Services", "Global", "agent", 3),
    ("CSA-006", "Customer Support Reply Drafting", "Customer Support", "Global", "genai", 3),
    ("SUP-014", "Supplier Email Classifier", "Procurement", "Vietnam", "genai", 5),
    ("PDM-003", "Press Line Predictive Maintenance", "Manufacturing", "Vietnam", "ml", 2),
    ("QIN-007", "Visual Quality Inspection", "Manufacturing", "Japan", "ml", 5),
    ("CON-020", "계약서 검토 AI", "Legal", "Korea", "genai", 1),
    ("HOP-030", "Hợp đồng Tự động", "Legal", "Vietnam", "genai", 1),
]


@pytest.fixture(scope="session")
def records() -> list[Initiative]:
    return [
        Initiative(
            id=i, name=name, business_unit=unit, region=region, ai_type=ai_type, phase=phase, phase_since="2026-01-01"
        )
        for i, name, unit, region, ai_type, phase in SAMPLE
    ]
