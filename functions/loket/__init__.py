"""Loket: a customer-support portal for software vendors."""
