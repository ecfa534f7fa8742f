"""Generated migrations of the evaluation app."""
