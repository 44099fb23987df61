"""Login throttles that count failures, per address and per email.

A successful login does not count, so a user who types the password right
is never locked out by their own earlier successes.
"""

from rest_framework.throttling import SimpleRateThrottle


class FailedLoginThrottle(SimpleRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return True

    def record_failure(self, request, view) -> None:
        key = self.get_cache_key(request, view)
        if key is None:
            return
        history = [
            moment
            for moment in self.cache.get(key, [])
            if moment > self.timer() - self.duration
        ]
        history.insert(0, self.timer())
        self.cache.set(key, history, self.duration)


class LoginAddressThrottle(FailedLoginThrottle):
    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class LoginEmailThrottle(FailedLoginThrottle):
    scope = "login_email"

    def get_cache_key(self, request, view):
        data = getattr(request, "data", None)
        # A body that is not a JSON object (a list, a string) names no email.
        email = data.get("email") if isinstance(data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}
