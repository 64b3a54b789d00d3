"""Calendar feeds: secret links (``links``), serving (``serving``), what they say (``content``)."""
