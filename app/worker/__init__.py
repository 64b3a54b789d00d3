"""The one background worker: sends the outbox, runs queued jobs and periodic tasks."""
