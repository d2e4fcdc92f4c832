"""The domain: tickets, messages, statuses and forms. Pure Python, no I/O."""
