"""Migrations of the exchanges app."""
