from decimal import Decimal

from apps.feature_flags.bucketing import BUCKETS, bucket_of, is_in_variant


def test_bucket_of_depends_on_flag_and_user_only():
    buckets = [bucket_of("coupons", user_id) for user_id in (1, 2, 3)]

    assert buckets == [3907, 113, 8112]
    assert bucket_of("dynamic_pricing", 1) == 1592


def test_bucket_of_stays_within_the_bucket_range():
    buckets = [bucket_of("coupons", user_id) for user_id in range(5_000)]

    assert all(0 <= bucket < BUCKETS for bucket in buckets)
    assert len(set(buckets)) > 3_000


def test_is_in_variant_puts_about_half_of_1000_users_in_a_50_percent_flag():
    chosen = [
        is_in_variant("coupons", user_id, Decimal("50")) for user_id in range(1, 1001)
    ]

    assert 450 <= sum(chosen) <= 550


def test_is_in_variant_answers_the_same_on_every_call():
    first = [
        is_in_variant("coupons", user_id, Decimal("50")) for user_id in range(1, 1001)
    ]
    second = [
        is_in_variant("coupons", user_id, Decimal("50")) for user_id in range(1, 1001)
    ]

    assert first == second


def test_is_in_variant_with_zero_percent_chooses_nobody():
    chosen = [
        is_in_variant("coupons", user_id, Decimal("0")) for user_id in range(1, 1001)
    ]

    assert sum(chosen) == 0


def test_is_in_variant_raising_the_percentage_only_adds_users():
    at_10 = {u for u in range(1, 1001) if is_in_variant("coupons", u, Decimal("10"))}
    at_30 = {u for u in range(1, 1001) if is_in_variant("coupons", u, Decimal("30.5"))}

    assert at_10 < at_30


def test_is_in_variant_draws_each_flag_independently():
    coupons = {u for u in range(1, 1001) if is_in_variant("coupons", u, Decimal("50"))}
    pricing = {
        u for u in range(1, 1001) if is_in_variant("dynamic_pricing", u, Decimal("50"))
    }

    assert coupons != pricing
    assert 200 <= len(coupons & pricing) <= 300
