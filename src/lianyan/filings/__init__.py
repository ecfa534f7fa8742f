"""County filings to the city (备案): leadership rosters, yearly themes, annual filings, the
one-week rule for large activities, published plans and the city's compliance board."""
