"""Great Expectations is imported with scipy.stats deferred to its first use."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from expectations.validate import import_gx
gx = import_gx()
print("stats loaded with GX:", "scipy.stats._stats_py" in sys.modules)
from scipy import stats
print("norm.cdf(0):", stats.norm.cdf(0.0))
print("stats loaded on use:", "scipy.stats._stats_py" in sys.modules)
print("suite class:", gx.expectations.ExpectColumnKLDivergenceToBeLessThan.__name__)
"""


def test_scipy_stats_is_loaded_only_when_something_uses_it() -> None:
    # a fresh interpreter: this one may have imported scipy.stats already
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["stats loaded with GX: False", "norm.cdf(0): 0.5", "stats loaded on use: True",
                                "suite class: ExpectColumnKLDivergenceToBeLessThan"]
