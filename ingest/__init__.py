"""Getting knowledge in: loaders, chunking, and the incremental ingestion pipeline."""
