"""Builders for tests: one place that knows how to make a row or a file.

``tests.builders.files``: sample files (Word, PDF, PNG, ZIP) built for real, so the content
checks of ``files/sniff.py`` see what a user would upload. Row builders still live in
``tests/factories.py`` (organisation and logins) and in each domain's ``conftest.py``.
"""
