"""Understanding a question: what it asks and about which initiatives or filters."""
