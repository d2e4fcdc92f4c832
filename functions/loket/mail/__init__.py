"""E-mail: composing MIME messages from templates, and the senders (outbox, SES)."""
