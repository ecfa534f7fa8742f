"""The organisation: counties, zones, kindergartens, people and their roles."""
