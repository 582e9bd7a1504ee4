#!/usr/bin/python3
"""Golden draws of CPython's random.Random(seed).sample(range(n), k).

River's KSWIN draws its comparison sample with
random.Random(seed).sample(range(window_size - stat_size), stat_size); concept's
default sampler reimplements it. Each case records the seed, n, k and the
first three samples drawn in a row from one generator (CPython 3.11.2,
Debian's python3). Both of sample's algorithms are covered: the pool for n
at most 21 + 4**ceil(log4(3k)), the set of picks above.

Run with Debian's python3:  /usr/bin/python3 gen_sample.py > sample.json
"""

import json
import random
import sys

cases = []
for seed in (0, 1, 42, 12345, 2**32 - 1, 2**32, 2**63 + 12345, 2**64 - 1):
    for n, k in ((70, 30), (100, 100), (1, 1), (5, 5), (10, 3), (170, 30), (1000, 30), (5000, 100), (300, 6)):
        r = random.Random(seed)
        cases.append({"seed": seed, "n": n, "k": k, "samples": [r.sample(range(n), k) for _ in range(3)]})

print(json.dumps({"source": "CPython " + sys.version.split()[0] + " random.Random(seed).sample(range(n), k)",
                  "cases": cases}))
