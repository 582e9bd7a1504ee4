#!/usr/bin/python3
"""Write River's own unit-test expectations as vectors for concept's golden test.

River cannot be installed here, but its unit tests pin the drift indices its
detectors must find on streams made by numpy's legacy generator and CPython's
random module, both of which are stable across versions (NumPy's RandomState
is frozen by NEP 19). This script regenerates those streams exactly as the
tests do and writes each test's expected indices, copied from:

  river/drift/test_drift_detectors.py   (online-ml/river, newest master)
  river/drift/test_adwin_regression.py  (online-ml/river, newest master)

The expected indices below are River's, never ours. Only drift indices are
pinned by River's tests, so the vectors carry no warning_indices.

Run with Debian's python3 (numpy 1.24):  /usr/bin/python3 gen_river_unittests.py
"""

import json
import random

import numpy as np

np.random.seed(12345)
data_stream_1 = np.concatenate((np.random.randint(2, size=1000), np.random.randint(8, size=1000)))

np.random.seed(12345)
data_stream_2 = np.concatenate(
    [
        [np.random.binomial(1, 0.2) for _ in range(1000)],
        [np.random.binomial(1, 0.8) for _ in range(1000)],
    ]
).astype(int)

np.random.seed(12345)
data_stream_3 = np.concatenate(
    (
        np.random.normal(0.0, 0.1, 500) > 0,
        np.random.normal(0.25, 0.1, 500) > 0,
        np.random.normal(0.0, 0.1, 500) > 0,
        np.random.normal(0.25, 0.1, 500) > 0,
    )
).astype(int)

rng = random.Random(42)
four_segments = (
    rng.choices([0, 1], k=1000)
    + rng.choices(range(4, 8), k=1000)
    + rng.choices([0, 1], k=1000)
    + rng.choices(range(4, 8), k=1000)
)

DS1 = "numpy.random.seed(12345): randint(2, size=1000) + randint(8, size=1000)"
DS2 = "numpy.random.seed(12345): [binomial(1, 0.2)]*1000 + [binomial(1, 0.8)]*1000"
DS3 = ("numpy.random.seed(12345): (normal(0, 0.1, 500) > 0, normal(0.25, 0.1, 500) > 0, "
       "normal(0, 0.1, 500) > 0, normal(0.25, 0.1, 500) > 0)")
TDD = "river/drift/test_drift_detectors.py"
TAR = "river/drift/test_adwin_regression.py"

# name: (detector, params, stream, generator, expected drift indices, where River pins them)
CASES = {
    "adwin_ds1": ("ADWIN", {}, data_stream_1, DS1, [1023], TDD + "::test_adwin"),
    "adwin_four_segments": ("ADWIN", {}, four_segments,
                            "random.Random(42): choices([0,1],k=1000) + choices(range(4,8),k=1000), twice",
                            [1023, 2015, 3007], TAR + "::TestDriftDetection::test_multiple_drifts"),
    "adwin_constant": ("ADWIN", {}, [1.0] * 5000, "[1.0] * 5000", [],
                       TAR + "::TestDriftDetection::test_no_drift_constant_stream"),
    "adwin_grace_period": ("ADWIN", {"grace_period": 100, "clock": 1}, [0.0] * 50 + [1000.0] * 50,
                           "[0.0] * 50 + [1000.0] * 50", [], TAR + "::TestParameters::test_grace_period"),
    "ddm_ds2": ("DDM", {}, data_stream_2, DS2, [1049], TDD + "::test_ddm"),
    "ddm_ones": ("DDM", {}, np.ones(1000), "numpy.ones(1000)", [], TDD + "::test_ddm"),
    "eddm_ds2": ("EDDM", {"alpha": 0.9, "beta": 0.8}, data_stream_2, DS2, [1059], TDD + "::test_eddm"),
    "hddm_a_ds2": ("HDDM_A", {}, data_stream_2, DS2, [1047], TDD + "::test_hddm_a"),
    "hddm_a_twosided_ds3": ("HDDM_A", {"two_sided_test": True}, data_stream_3, DS3, [531, 1015, 1545],
                            TDD + "::test_hddm_a"),
    "hddm_w_ds2": ("HDDM_W", {}, data_stream_2, DS2, [1018], TDD + "::test_hddm_w"),
    "hddm_w_twosided_ds3": ("HDDM_W", {"two_sided_test": True}, data_stream_3, DS3, [507, 1032, 1508],
                            TDD + "::test_hddm_w"),
    "kswin_ds1": ("KSWIN", {"alpha": 0.0001, "window_size": 200, "stat_size": 100, "seed": 42},
                  data_stream_1, DS1, [1042], TDD + "::test_kswin"),
    "pagehinkley_up_ds3": ("PageHinkley", {"mode": "up"}, data_stream_3, DS3, [588, 1681],
                           TDD + "::test_page_hinkley"),
    "pagehinkley_down_ds3": ("PageHinkley", {"mode": "down"}, data_stream_3, DS3, [1172],
                             TDD + "::test_page_hinkley"),
    "pagehinkley_both_ds3": ("PageHinkley", {"mode": "both"}, data_stream_3, DS3, [588, 1097, 1585],
                             TDD + "::test_page_hinkley"),
}

for name, (detector, params, stream, generator, expected, pinned) in CASES.items():
    values = [v.item() if hasattr(v, "item") else v for v in stream]
    vector = {
        "detector": detector,
        "case": name,
        "source": "online-ml/river " + pinned + " (expected indices copied from the test)",
        "params": params,
        "generator": generator,
        "n": len(values),
        "drift_indices": expected,
        "stream": values,
    }
    with open(f"river_unittest_{name}.json", "w") as f:
        json.dump(vector, f, separators=(",", ":"))
        f.write("\n")
