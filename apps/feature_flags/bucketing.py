"""Sticky A/B buckets: a user's place in a flag's rollout, from a hash.

The bucket depends only on the flag's name and the user's id, so a user gets
the same answer on every device, in every browser and through API tokens,
without a cookie. Buckets of one user for different flags are independent,
because the flag's name is part of the hash. Raising a flag's percentage
only moves users from the control group into the variant, never back.
"""

import hashlib
from decimal import Decimal

# 10,000 buckets give the 0.1 steps a flag's percentage is stored with.
BUCKETS = 10_000


def bucket_of(flag_name: str, user_id: int) -> int:
    """The user's bucket for the flag, from 0 to BUCKETS - 1."""
    digest = hashlib.sha256(f"{flag_name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def is_in_variant(flag_name: str, user_id: int, percent: Decimal) -> bool:
    """Whether the user falls within the first `percent` of the buckets."""
    return Decimal(bucket_of(flag_name, user_id)) < percent * BUCKETS / 100
