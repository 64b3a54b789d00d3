"""The planning calendar: dates and times that matter before booking an outreach event."""
