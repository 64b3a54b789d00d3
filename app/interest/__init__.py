"""Expressions of interest from the public, and the recruitment team's follow-up list."""
