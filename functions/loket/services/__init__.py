"""Use cases: one function each, over the ports in loket.ports."""
