"""Search: embeddings, the vector store, BM25 and the hybrid index with access control."""
