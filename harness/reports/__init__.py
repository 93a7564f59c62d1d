"""Renderers: pure functions from result records (harness.results and the producers' own records) to
text, Markdown, JSON, JUnit and HTML; the one JUnit writer (junit.py). Nothing here writes a file or
imports the code that produced the records (harness.signoff, harness.cli).
"""
