"""`make bench`: every benchmark in this folder, one after another. Each prints its own table of
ratios against a floor measured in the same run; none asserts a time."""

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# A module named here has a `main(argv) -> int`; a missing one is reported, not skipped silently.
BENCHMARKS = ["bench.page_weight", "bench.reports", "bench.jobs"]


def main(argv: list[str]) -> int:
    wanted = [name for name in BENCHMARKS if not argv or name.split(".")[-1] in argv]
    failures = 0
    for name in wanted:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            print(f"{name}: not available ({error})")
            failures += 1
            continue
        print(f"\n=== {name} ===")
        failures += int(module.main(argv) != 0)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
