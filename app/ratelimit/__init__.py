"""Limits on how often anyone may try something (sign-in, resets, anonymous PDFs)."""
