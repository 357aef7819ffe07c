"""Tokenizing, the BM25 index kept in SQLite, and ranked retrieval (no platform code here)."""
