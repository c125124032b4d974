"""Whether an item's change since the previous wave is beyond noise (docs/reports.md, "Gaps first").

For a 0/1 item (yes_no, number) the pass rates of the two waves are compared with the two-sided
two-proportion z-test on the pooled rate; the normal approximation is trusted only when every
expected count (n·p̂ and n·(1 − p̂) in each wave, p̂ pooled) is at least MIN_EXPECTED, else the
change is reported as "n too small". Items scored between 0 and 1 (scale, choice) get no test.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

MIN_EXPECTED = 5.0
ALPHA = 0.05


class Verdict(StrEnum):
    beyond_noise = "beyond_noise"  # p < ALPHA
    within_noise = "within_noise"
    too_small = "too_small"  # too few visits for the test to say anything
    untested = "untested"  # not a 0/1 item


@dataclass(frozen=True)
class ItemChange:
    """A change of pass rate, in percentage points (now − before), and what the test says."""

    points: float
    verdict: Verdict
    p_value: float | None


def two_proportion_p_value(passed_now: float, n_now: int, passed_before: float, n_before: int) -> float | None:
    """The two-sided p-value of the pooled two-proportion z-test; None when the pooled rate is 0 or
    1 (both waves all failed or all passed: nothing varies)."""
    pooled = (passed_now + passed_before) / (n_now + n_before)
    if pooled <= 0 or pooled >= 1:
        return None
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_now + 1 / n_before))
    z = (passed_now / n_now - passed_before / n_before) / se
    return math.erfc(abs(z) / math.sqrt(2))


def compare_pass_rates(*, now: float, n_now: int, before: float, n_before: int, binary: bool) -> ItemChange:
    """The change of an item's pass rate between two waves (rates in 0..1, n = scored answers)."""
    points = 100 * (now - before)
    if not binary:
        return ItemChange(points, Verdict.untested, None)
    pooled = (now * n_now + before * n_before) / (n_now + n_before)
    if pooled <= 0 or pooled >= 1:  # all failed or all passed in both waves: nothing moved
        return ItemChange(points, Verdict.within_noise, None)
    smallest = min(n * p for n in (n_now, n_before) for p in (pooled, 1 - pooled))
    if smallest < MIN_EXPECTED:
        return ItemChange(points, Verdict.too_small, None)
    p_value = two_proportion_p_value(now * n_now, n_now, before * n_before, n_before)
    verdict = Verdict.beyond_noise if p_value is not None and p_value < ALPHA else Verdict.within_noise
    return ItemChange(points, verdict, p_value)
