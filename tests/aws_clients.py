"""Which clients loket.aws makes, and from what data: shared by the tests of the trimmed
SDK data (tests/aws/test_botocore_data.py) and the deploy paths (tests/deploy)."""

from __future__ import annotations


def record_client_sessions(monkeypatch) -> list[tuple[str, bool]]:
    """A list that each client loket.aws makes from now on adds itself to, as
    (service, made from the trimmed data)."""
    from loket import aws

    made: list[tuple[str, bool]] = []
    real = aws._botocore_session

    def recording(service, data=None):
        session = real(service, data)
        made.append((service, session is not None))
        return session

    monkeypatch.setattr(aws, "_botocore_session", recording)
    return made
