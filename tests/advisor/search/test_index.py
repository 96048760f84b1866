"""The index: real embeddings, Chroma embedded and as a server started here, BM25, fusion and ACL."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from advisor.access import Requester
from advisor.db import make_engine
from advisor.search.index import Chunk, Index, SearchFilter, chunk_id
from tests.conftest import free_port, make_settings

DOCS = {
    "owasp-llm06.md": (
        "Excessive Agency",
        "LLM06 Excessive Agency: an LLM-based system is granted more functionality, "
        "permissions or autonomy than it needs, so manipulated output can trigger damaging actions.",
    ),
    "canary.md": (
        "Canary releases",
        "Roll a new model out to five percent of traffic first and compare error "
        "rates before promoting it to everyone.",
    ),
    "drift.md": (
        "Drift",
        "When the statistical properties of live inputs move away from the training data, "
        "prediction quality decays silently.",
    ),
    "owners.md": (
        "Ownership",
        "A person in the business unit whose process changes must be accountable for "
        "adoption and for the value the system delivers.",
    ),
    "tokens.md": (
        "Token budgets",
        "Cap tokens per user per day and alert when spend per use case exceeds the monthly budget.",
    ),
    "rag.md": (
        "Knowledge refresh",
        "Re-index source documents on a schedule that matches how quickly answers "
        "must reflect changes, and propagate deletions.",
    ),
    "sox.md": ("SOX-404 evidence", "Keep the SOX-404 control evidence for the model change log for seven years."),
    "board.md": ("Board memo", "The acquisition of Northwind Traders is planned for March; keep this confidential."),
}
# (question, the file that answers it): paraphrases favour dense, codes and rare tokens favour BM25
LABELLED = [
    ("how do we stop an assistant from doing more than it should be allowed to?", "owasp-llm06.md"),
    ("LLM06", "owasp-llm06.md"),
    ("try the new version on a small share of users before everyone", "canary.md"),
    ("model accuracy gets worse because incoming data changed", "drift.md"),
    ("who is accountable for the business value", "owners.md"),
    ("limit how much we spend on the language model each month", "tokens.md"),
    ("SOX-404 retention", "sox.md"),
    ("keep answers up to date when documents change or are deleted", "rag.md"),
]


def _chunks():
    chunks = []
    for position, (name, (title, text)) in enumerate(DOCS.items()):
        restricted = name == "board.md"
        chunks.append(
            Chunk(
                id=chunk_id(f"/kb/{name}", 0),
                text=text,
                source=name,
                source_key=f"/kb/{name}",
                kind="document" if position % 2 else "practice",
                title=title,
                section=title,
                position=0,
                tags=["security"] if "owasp" in name else [],
                initiative_id="X-1" if name == "drift.md" else None,
                visibility="restricted" if restricted else "public",
                allowed=["U_BOARD", "C_BOARDROOM"] if restricted else [],
            )
        )
    return chunks


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real Chroma server, started with `chroma run` for these tests."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma")), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(params=["embedded", "server"])
def index(request, tmp_path):
    overrides = {}
    if request.param == "server":
        overrides["chroma_url"] = request.getfixturevalue("chroma_server")
        overrides["collection"] = f"test-{tmp_path.name[-20:].strip('_-')}x"
    settings = make_settings(tmp_path / "data", **overrides)
    index = Index(settings, make_engine(settings))
    chunks = _chunks()
    for chunk in chunks:
        index.replace_source(chunk.source_key, [chunk], index.embedder.embed_passages([chunk.embedding_text()]))
    index.mark_changed()
    return index


PUBLIC = Requester(user_id="U_ANY", channel_id="C_ANY")


def _rank(index, question, expected, mode):
    hits = index.search(question, PUBLIC, k=5, mode=mode)
    names = [h.chunk.source for h in hits]
    return names.index(expected) + 1 if expected in names else None


def test_hybrid_finds_every_labelled_answer_first(index):
    ranks = {
        mode: [_rank(index, q, expected, mode) for q, expected in LABELLED] for mode in ("dense", "bm25", "hybrid")
    }
    assert ranks["hybrid"] == [1] * len(LABELLED), ranks
    mrr = {mode: sum(1 / r for r in rs if r) / len(rs) for mode, rs in ranks.items()}
    assert mrr["hybrid"] >= mrr["dense"] and mrr["hybrid"] >= mrr["bm25"]
    assert mrr["dense"] < 1 or mrr["bm25"] < 1  # the set exercises what one retriever alone misses


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_restricted_chunks_only_reach_allowed_requesters(index, mode):
    question = "acquisition of Northwind Traders"
    assert all(h.chunk.source != "board.md" for h in index.search(question, PUBLIC, k=8, mode=mode))
    for allowed in (Requester(user_id="U_BOARD"), Requester(user_id="U_X", channel_id="C_BOARDROOM")):
        hits = index.search(question, allowed, k=8, mode=mode)
        assert hits[0].chunk.source == "board.md"
    assert any(h.chunk.source == "board.md" for h in index.search(question, Requester.admin(), k=8, mode=mode))


def test_metadata_filters(index):
    docs = index.search("model", PUBLIC, k=8, where=SearchFilter(kinds=("document",)))
    assert docs and {h.chunk.kind for h in docs} == {"document"}
    tagged = index.search("permissions", PUBLIC, k=8, where=SearchFilter(tags=("security",)))
    assert [h.chunk.source for h in tagged] == ["owasp-llm06.md"]
    about = index.search("quality", PUBLIC, k=8, where=SearchFilter(initiative_id="X-1"))
    assert [h.chunk.source for h in about] == ["drift.md"]


def test_another_process_sees_new_chunks_after_a_version_bump(index, tmp_path):
    other = Index(index.settings, index.engine)
    assert other.search("SOX-404", PUBLIC, k=1, mode="bm25")[0].chunk.source == "sox.md"
    extra = Chunk(
        id=chunk_id("/kb/new.md", 0),
        text="Quarterly ZX-81 audits cover every agent tool.",
        source="new.md",
        source_key="/kb/new.md",
        kind="document",
        title="Audits",
        section="Audits",
        position=0,
    )
    index.replace_source(extra.source_key, [extra], index.embedder.embed_passages([extra.embedding_text()]))
    index.mark_changed()
    assert other.search("ZX-81", PUBLIC, k=1, mode="bm25")[0].chunk.source == "new.md"


def test_empty_index_returns_nothing(tmp_path):
    settings = make_settings(tmp_path / "data")
    assert Index(settings, make_engine(settings)).search("anything", PUBLIC) == []


def test_access_rules_hold_when_chroma_filters_itself(index):
    """A narrow filter makes Chroma apply the rules (not the post-filter): same outcome."""
    only_board = SearchFilter(source_key="/kb/board.md")
    assert index.search("acquisition", PUBLIC, k=3, where=only_board, mode="dense") == []
    hits = index.search("acquisition", Requester(user_id="U_BOARD"), k=3, where=only_board, mode="dense")
    assert [h.chunk.source for h in hits] == ["board.md"]
