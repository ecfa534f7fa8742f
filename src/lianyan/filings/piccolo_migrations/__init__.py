"""Generated migrations of the filings app."""
