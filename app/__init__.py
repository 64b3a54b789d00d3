"""Muster: positive-action outreach event planner for UK police forces."""
