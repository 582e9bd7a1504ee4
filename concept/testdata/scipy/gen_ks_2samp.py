#!/usr/bin/python3
"""Golden two-sample KS tests from scipy, for concept's ksTwoSample.

River's KSWIN calls scipy.stats.ks_2samp(older, recent, method="auto") on two
samples of stat_size values each. For every case below this script records
the samples and scipy's statistic and p-value (scipy 1.10.1, Debian's
python3-scipy).

Run with Debian's python3:  /usr/bin/python3 gen_ks_2samp.py > ks_2samp.json
"""

import json
import random
import warnings

from scipy import stats

warnings.simplefilter("ignore", RuntimeWarning)  # "switching to method=asymp", as River does
rng = random.Random(20261126)
cases = []


def add(name, a, b):
    res = stats.ks_2samp(a, b, method="auto")
    cases.append({"name": name, "a": a, "b": b, "stat": float(res.statistic), "p_value": float(res.pvalue)})


# Identical samples, and samples with no overlap.
add("identical", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
add("disjoint_30", [float(i) for i in range(30)], [float(i + 100) for i in range(30)])
add("single", [0.0], [1.0])
add("single_equal", [0.5], [0.5])
# Binary error streams: heavy ties, as KSWIN sees on 0/1 input.
for n in (5, 10, 30, 100):
    for p1, p2 in ((0.2, 0.2), (0.2, 0.5), (0.1, 0.9)):
        a = [float(rng.random() < p1) for _ in range(n)]
        b = [float(rng.random() < p2) for _ in range(n)]
        add(f"binary_n{n}_{p1}_{p2}", a, b)
# Small integers (the doc stream's values), continuous values, shifts.
for n in (2, 3, 7, 30, 31, 64, 100, 250):
    a = [float(rng.randrange(0, 8)) for _ in range(n)]
    b = [float(rng.randrange(0, 8)) for _ in range(n)]
    add(f"ints_n{n}", a, b)
    a = [rng.gauss(0, 1) for _ in range(n)]
    b = [rng.gauss(0.5, 1) for _ in range(n)]
    add(f"gauss_n{n}", a, b)
# Large samples, up to scipy's exact limit (10000) for method "auto".
for n in (1000, 5000, 10000):
    a = [rng.gauss(0, 1) for _ in range(n)]
    b = [rng.gauss(0.02, 1) for _ in range(n)]
    add(f"gauss_n{n}", a, b)
# Tiny p-values.
add("far_n100", [rng.gauss(0, 1) for _ in range(100)], [rng.gauss(3, 1) for _ in range(100)])

# p-value by (n, h) alone, for D = h/n: a = 0..n-1 and b = h..n-1+h. Small h
# against n is where scipy's exact series rounds above 1 and ks_2samp falls
# back to kstwo.sf (Ruben-Gambino and Durbin-matrix branches).
by_nh = []
for n in range(1, 401):
    for h in (1, 2, 3, 4):
        if h > n:
            continue
        a = [float(i) for i in range(n)]
        b = [float(i + h) for i in range(n)]
        res = stats.ks_2samp(a, b, method="auto")
        assert round(res.statistic * n) == h
        by_nh.append([n, h, float(res.pvalue)])

print(json.dumps({
    "source": "scipy.stats.ks_2samp(a, b, method='auto'), scipy 1.10.1 (Debian python3-scipy)",
    "cases": cases,
    "by_n_h": by_nh,
}))
