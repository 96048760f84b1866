"""Answering: the evidence behind an answer, composing it with citations, the Answer model."""
