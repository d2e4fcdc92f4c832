"""Blob store adapters for attachments: a local folder (folder.py) and S3 (s3.py)."""
