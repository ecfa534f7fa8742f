"""Research topics (课题): lifecycle, documents, expert review and the one-topic-per-county rule."""
