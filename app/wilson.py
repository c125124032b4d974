"""Confidence for the figures directors act on: Wilson intervals of pass rates, the interval of a mean
score, and how many visits a clinic needs before a pass rate is known well enough.

Plain formulas, written out so anyone can check them by hand (docs/design.md §5).
"""

import math

Z95 = 1.959963984540054  # two-sided 95 %: the 0.975 quantile of the standard normal

# Student's t, 0.975 quantile, by degrees of freedom 1..30 (standard tables).
_T975 = (12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252,
         2.306004135, 2.262157163, 2.228138852, 2.200985160, 2.178812830, 2.160368656, 2.144786688,
         2.131449546, 2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447, 2.079613845,
         2.073873068, 2.068657610, 2.063898562, 2.059538553, 2.055529439, 2.051830516, 2.048407142,
         2.045229642, 2.042272456)


def wilson_interval(successes: float, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion successes/n, or None when n is 0.

    centre = (p + z²/2n) / (1 + z²/n), half-width = z/(1 + z²/n) · √(p(1−p)/n + z²/4n²).
    Unlike p ± z·√(p(1−p)/n) it stays inside [0, 1] and is not zero-width at 0/n or n/n.
    """
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(max(0.0, p * (1 - p) / n + z2 / (4 * n * n)))
    return max(0.0, centre - half), min(1.0, centre + half)


def t_quantile_975(degrees_of_freedom: int) -> float:
    """Student's t 0.975 quantile: the table up to 30 degrees of freedom, then the Cornish–Fisher
    expansion z + (z³+z)/4ν + (5z⁵+16z³+3z)/96ν² (error below 1e-4 beyond 30)."""
    if degrees_of_freedom < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if degrees_of_freedom <= len(_T975):
        return _T975[degrees_of_freedom - 1]
    z, nu = Z95, float(degrees_of_freedom)
    return z + (z**3 + z) / (4 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * nu * nu)


def mean_interval(n: int, total: float, total_of_squares: float) -> tuple[float, float] | None:
    """95 % interval of a mean from n values given Σx and Σx²: mean ± t(n−1)·sd/√n, with the sample
    standard deviation sd = √((Σx² − (Σx)²/n)/(n−1)). None below 2 values (no spread to measure)."""
    if n < 2:
        return None
    mean = total / n
    variance = max(0.0, (total_of_squares - total * total / n) / (n - 1))
    half = t_quantile_975(n - 1) * math.sqrt(variance) / math.sqrt(n)
    return mean - half, mean + half


MARGIN = 0.10  # ± 10 percentage points


def visits_needed(pass_rate: float, margin: float = MARGIN, z: float = Z95) -> int:
    """Visits needed so a pass rate is known to ± margin at 95 %: n = ceil(z² · p(1−p) / margin²).

    p is the observed pass rate; at 0 or 1 the formula would say 0 visits although nothing is
    known yet, so the worst case p = 0.5 is used there (97 visits for ± 10 points).
    """
    p = pass_rate if 0 < pass_rate < 1 else 0.5
    # A hair of tolerance so floating error never adds a visit (e.g. 96.00000000001).
    return math.ceil(z * z * p * (1 - p) / (margin * margin) - 1e-9)
