"""Each document format becomes clean Markdown with its headings, then heading-path chunks."""

import docx
import pytest
from fpdf import FPDF

from advisor.errors import ParseError
from ingest.chunking import chunk_markdown
from ingest.loaders import load_document
from tests.conftest import CORPORA


def make_pdf(path, pages):
    pdf = FPDF()
    pdf.set_title("Rollout Guide")
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def make_docx(path):
    document = docx.Document()
    document.core_properties.title = "Agent Controls"
    document.add_heading("Agent Controls", level=0)
    document.add_heading("Approvals", level=1)
    document.add_paragraph("High impact actions need a named approver before the agent acts.")
    document.add_heading("Refunds", level=2)
    document.add_paragraph("Refunds above the limit wait for a supervisor.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Action", "Approver"
    table.cell(1, 0).text, table.cell(1, 1).text = "Refund", "Supervisor"
    document.save(str(path))
    return path


def test_markdown_front_matter_liquid_html_and_images_are_cleaned(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(
        "---\ntitle: Pilot Guide\ntags: [genai, launch]\nurl: https://example.org/guide\n---\n"
        "{% include header.html %}\n<img src='x.png' alt='x'>\n\n# Pilot Guide\n\n"
        "## Before launch\n\nCheck the {{ site.name }} **evaluation** set. ![diagram](d.png)\n\n"
        "<table><tr><td>Owner</td><td>Sales</td></tr></table>\n\n### Sign-off\n\nThe business owner signs.\n"
    )
    document = load_document(path)
    assert (document.title, document.tags, document.url) == (
        "Pilot Guide",
        ["genai", "launch"],
        "https://example.org/guide",
    )
    assert "{%" not in document.markdown and "{{" not in document.markdown and "<" not in document.markdown
    assert "png" not in document.markdown and "Owner" in document.markdown
    chunks = chunk_markdown(document.markdown, document.title)
    assert [c.section for c in chunks] == ["Pilot Guide > Before launch", "Pilot Guide > Before launch > Sign-off"]
    assert chunks[0].text.startswith("Check the **evaluation** set.\n") and "| Owner | Sales |" in chunks[0].text


def test_restricted_front_matter(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("---\nvisibility: restricted\nallowed: U1, C2\n---\n# Secret plan\n\nText here.\n")
    document = load_document(path)
    assert document.visibility == "restricted" and document.allowed == ["U1", "C2"]


def test_pdf_pages_become_sections(tmp_path):
    path = make_pdf(tmp_path / "guide.pdf", ["Canary releases limit the blast radius.", "Rollback within minutes."])
    document = load_document(path)
    assert document.title == "Rollout Guide"
    sections = [c.section for c in chunk_markdown(document.markdown, document.title)]
    assert sections == ["Rollout Guide > Page 1", "Rollout Guide > Page 2"]


def test_docx_headings_lists_and_tables(tmp_path):
    document = load_document(make_docx(tmp_path / "controls.docx"))
    chunks = chunk_markdown(document.markdown, document.title)
    assert document.title == "Agent Controls"
    assert [c.section for c in chunks] == ["Agent Controls > Approvals", "Agent Controls > Approvals > Refunds"]
    assert "- Refunds above the limit" in chunks[1].text and "| Refund | Supervisor |" in chunks[1].text


def test_html_drops_navigation_and_scripts(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Cost Control</title><script>var x=1;</script></head><body>"
        "<nav>Home | About</nav><h1>Cost Control</h1><h2>Quotas</h2><p>Set a quota per user.</p>"
        "<footer>(c) 2026</footer></body></html>"
    )
    document = load_document(path)
    chunks = chunk_markdown(document.markdown, document.title)
    assert document.title == "Cost Control"
    assert [(c.section, c.text) for c in chunks] == [("Cost Control > Quotas", "Set a quota per user.")]


def test_plain_text(tmp_path):
    path = tmp_path / "release_notes.txt"
    path.write_text("First paragraph.\n\nSecond paragraph.\n")
    document = load_document(path)
    assert document.title == "Release notes"
    assert chunk_markdown(document.markdown, document.title)[0].section == "Release notes"


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "cannot parse PDF"),
        ("empty.md", b"", "empty: no text to index"),
        ("blank.txt", b"  \n\n ", "empty: no text to index"),
        ("fake.docx", b"not a zip file", "cannot parse DOCX"),
        ("latin.txt", "caf\u00e9".encode("latin-1"), "not UTF-8 text"),
        ("bin.md", b"\x00\x01\x02binary", "not a text file"),
        ("bad.md", b"---\ntitle: [unclosed\n---\nbody\n", "invalid front matter"),
    ],
)
def test_unreadable_documents_raise_a_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason):
        load_document(path)


def test_long_sections_are_split_within_the_section():
    markdown = "# T\n\n## Long\n\n" + " ".join(f"Sentence number {i} is here." for i in range(200))
    chunks = chunk_markdown(markdown, "T", chunk_size=500, overlap=50)
    assert len(chunks) > 5 and all(len(c.text) <= 500 for c in chunks)
    assert {c.section for c in chunks} == {"T > Long"}


@pytest.mark.skipif(not CORPORA.exists(), reason="../shared/corpora is not beside the project")
def test_real_corpus_documents_keep_their_heading_paths():
    document = load_document(CORPORA / "owasp-llm-top10-2025" / "LLM06_ExcessiveAgency.md")
    sections = {c.section for c in chunk_markdown(document.markdown, document.title)}
    assert "LLM06:2025 Excessive Agency > Prevention and Mitigation Strategies" in sections
    principles = load_document(CORPORA / "ml-ops-org" / "mlops-principles.md")
    assert "<td" not in principles.markdown and "Pipeline Continuous Integration" in principles.markdown


def test_documents_without_latin_letters_are_chunked_too():
    korean = "# 거버넌스\n\n## 승인\n\n에이전트가 결제 시스템에 쓰기 권한을 갖기 전에 사람의 승인이 필요합니다.\n"
    japanese = "# 手引き\n\n## 評価\n\n" + "本番環境へ移行する前に評価データセットを整備します。" * 60
    assert [c.section for c in chunk_markdown(korean, "거버넌스")] == ["거버넌스 > 승인"]
    pieces = chunk_markdown(japanese, "手引き", chunk_size=400, overlap=0)
    assert len(pieces) > 1 and all(p.text.endswith("。") for p in pieces)  # split at sentence ends
