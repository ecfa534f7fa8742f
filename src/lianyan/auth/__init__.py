"""Accounts, sessions, tokens and access rules."""
