"""Renderers: pure functions from result records to text (text, Markdown, JSON, JUnit, HTML)."""
