#!/usr/bin/python3
"""Time the SciPy/pandas work behind Evidently's default drift scores.

Evidently itself cannot be installed on the build machine; this measures
the part of its work that produces the numbers modelwatch reproduces:
pandas.read_csv of both files, then for every column Evidently's default
test through the same SciPy/NumPy calls (see generate.py). Evidently adds
correlations, distributions and rendering on top (issue 3 quotes ~130 s and
1.8 GB for the 1M-row case), so this is a lower bound.

    /usr/bin/python3 drift/testdata/scipy/bench_equivalent.py ref.csv cur.csv
"""
import os
import resource
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import TESTS, default_test  # noqa: E402


def main(ref_path, cur_path):
    t0 = time.perf_counter()
    ref, cur = pd.read_csv(ref_path), pd.read_csv(cur_path)
    t1 = time.perf_counter()
    for col in ref.columns:
        typ = "num" if pd.api.types.is_numeric_dtype(ref[col]) else "cat"
        r = ref[col].replace([np.inf, -np.inf], np.nan).dropna()
        c = cur[col].replace([np.inf, -np.inf], np.nan).dropna()
        TESTS[default_test(r, c, typ)][0](r, c, typ)
    t2 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read_csv {t1 - t0:.2f} s, scores {t2 - t1:.2f} s, total {t2 - t0:.2f} s, max RSS {rss:.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
