"""统计: the year's work by county and by month, drawn as charts (docs/statistics.md)."""
