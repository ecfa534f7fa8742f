"""Generated migrations of the reports app."""
