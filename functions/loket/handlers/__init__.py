"""Thin AWS Lambda entry points. They only translate events; the services do the work.

Each module builds what it needs on its first event, never at import, so a cold start
loads only what that function uses.
"""
