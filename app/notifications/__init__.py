"""Telling people: the outbox of e-mails, what each message says, preferences and links."""
