"""Booking people on events: clash checks and new duties, in one place (``service``)."""
