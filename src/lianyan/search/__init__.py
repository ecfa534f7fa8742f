"""Site-wide Chinese search (docs/search.md)."""
