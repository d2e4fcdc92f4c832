"""Store adapters: SQLite (embedded default) and DynamoDB. Both pass the same contract suite."""
