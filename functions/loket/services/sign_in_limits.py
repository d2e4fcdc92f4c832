"""Sign-in limits that no stranger can turn against an account's owner.

Only failures count. An attempt is counted when it starts, so guesses sent in parallel
are counted before any of them is checked, and it is taken back when the password
fits (or when a limit refuses it unchecked). The limits, per window of
`login_limits.window_minutes`:

- per client address, over all accounts: `per_address` failures;
- per account and client address: `per_account` failures. Wrong guesses made
  elsewhere never refuse the owner's right password from an address that has not
  failed;
- per account over all addresses, a slow-down instead of a lock: once the account
  has had more than `per_account` failures in the window, an address that has failed
  on it already gets no further try until the window ends. Many addresses then get
  one guess each, and the owner still signs in from their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loket.domain.errors import SignInThrottled
from loket.services.context import Services
from loket.services.ratelimit import Window, current_window


@dataclass
class SignInAttempt:
    """One sign-in attempt's counts; `succeeded()` takes them back."""

    services: Services
    window: Window
    counted: list[str] = field(default_factory=list)

    @classmethod
    def begin(cls, services: Services, client_address: str) -> "SignInAttempt":
        """Count the attempt against the client address; SignInThrottled when the
        address has failed too often."""
        limits = services.config.accounts.login_limits
        attempt = cls(services, current_window(services, limits.window_minutes * 60))
        if attempt._count(f"login-failed:address:{client_address}") > limits.per_address:
            attempt._refuse("address")
        return attempt

    def for_account(self, account_key: str, client_address: str) -> None:
        """Count the attempt against the account, from this address and in all;
        SignInThrottled when this address may not try this account now."""
        limit = self.services.config.accounts.login_limits.per_account
        here = self._count(f"login-failed:account:{account_key}:{client_address}")
        everywhere = self._count(f"login-failed:account:{account_key}")
        if here > limit or (everywhere > limit and here > 1):
            self._refuse("account")

    def succeeded(self) -> None:
        """The password fitted: a success is not a failure, so nothing stays counted."""
        for key in self.counted:
            self.window.add(self.services, key, -1)
        self.counted.clear()

    def _count(self, key: str) -> int:
        self.counted.append(key)
        return self.window.add(self.services, key)

    def _refuse(self, scope: str) -> None:
        self.succeeded()  # Refused unchecked: not a failure either.
        raise SignInThrottled(scope=scope, retry_after=self.window.retry_after)
