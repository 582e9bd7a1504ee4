#!/usr/bin/python3
"""Generate golden cases for modelwatch's drift package from SciPy.

Run with Debian's Python, which has SciPy 1.10.1, NumPy 1.24 and pandas 1.5:

    /usr/bin/python3 drift/testdata/scipy/generate.py

It writes cases.json beside this file. Each score is computed with the
SciPy/NumPy call that Evidently 0.7.21's stattest makes (see
/work/shared/reference/evidently-drift.md); the wrappers below restate
Evidently's glue (binning, zero fill, the permutation loops) in a few lines
each. Large samples are not stored: they are "uniform" specs, drawn from
NumPy's legacy Mersenne Twister (RandomState(seed).random_sample) and mapped
with exact arithmetic, so the Go test regenerates them bit for bit.
"""
import json
import math
import os
import warnings
from collections import Counter

import numpy as np
import pandas as pd
from scipy import special, stats
from scipy.spatial import distance

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")


# ---- Evidently's tests, restated over SciPy -------------------------------

def union_keys(ref, cur):
    return list(set(ref.unique()) | set(cur.unique()))


def counts(s, keys):
    vc = s.value_counts()
    return [int(vc.get(k, 0)) for k in keys]


def binned(ref, cur, ctype, fill):
    if ctype == "num" and ref.nunique() > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref.values, cur.values]), bins="sturges")
        r = np.histogram(ref, edges)[0] / len(ref)
        c = np.histogram(cur, edges)[0] / len(cur)
    else:
        keys = union_keys(ref, cur)
        r = np.array([x / len(ref) for x in counts(ref, keys)])
        c = np.array([x / len(cur) for x in counts(cur, keys)])
    if fill:
        for a in (r, c):
            m = min(a[a != 0])
            np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def t_ks(r, c, t):
    return stats.ks_2samp(r, c)[1]


def t_chisquare(r, c, t):
    keys = union_keys(r, c)
    k = c.shape[0] / r.shape[0]
    return stats.chisquare(counts(c, keys), [x * k for x in counts(r, keys)])[1]


def t_z(r, c, t):
    if r.nunique() == 1 and c.nunique() == 1 and r.unique()[0] == c.unique()[0]:
        return 1.0
    k0 = sorted(union_keys(r, c))[0]
    a = (r != k0).astype(int)
    b = (c != k0).astype(int)
    n1, n2 = len(a), len(b)
    p1, p2 = float(a.sum()) / n1, float(b.sum()) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return 2 * (1 - stats.norm.cdf(np.abs(z)))


def t_wasserstein(r, c, t):
    return stats.wasserstein_distance(r, c) / max(float(np.std(r)), 0.001)


def t_jensenshannon(r, c, t):
    p, q = binned(r, c, t, False)
    return distance.jensenshannon(p, q)


def t_psi(r, c, t):
    p, q = binned(r, c, t, True)
    return np.sum((p - q) * np.log(p / q))


def t_kl_div(r, c, t):
    p, q = binned(r, c, t, True)
    return stats.entropy(p, q)


def t_hellinger(r, c, t):
    keys = union_keys(r, c)
    h = 0.0
    if t == "cat":
        rp, cp = r.value_counts() / len(r), c.value_counts() / len(c)
        for k in keys:
            h += math.sqrt(float(rp.get(k, 0)) * float(cp.get(k, 0)))
    else:
        edges = np.histogram_bin_edges(keys, bins="sturges")
        h1 = np.histogram(r.to_numpy(), bins=edges, density=True)[0]
        h2 = np.histogram(c.to_numpy(), bins=edges, density=True)[0]
        w = (max(edges) - min(edges)) / (len(edges) - 1)
        for i in range(len(h1)):
            h += math.sqrt(float(h1[i]) * float(h2[i])) * w
    return math.sqrt(1 - np.clip(h, 0, 1))


def t_ed(r, c, t):
    return stats.energy_distance(r, c)


def t_anderson(r, c, t):
    return stats.anderson_ksamp([r.values, c.values])[2]


def cvm_limit_cdf(x):
    tot, k = 0.0, 0
    while True:
        u = np.exp(special.gammaln(k + 0.5) - special.gammaln(k + 1)) / (np.pi**1.5 * np.sqrt(x))
        y = 4 * k + 1
        q = y**2 / (16 * x)
        z = u * np.sqrt(y) * np.exp(-q) * special.kv(0.25, q)
        tot += z
        k += 1
        if abs(z) < 1e-7:
            return tot


def t_cramer_von_mises(r, c, t):
    if len(r) <= 1 or len(c) <= 1:
        raise ValueError("x and y must contain at least two observations.")
    if max(len(r), len(c)) <= 20:
        return stats.cramervonmises_2samp(r, c, method="exact").pvalue
    xa, ya = np.sort(r.to_numpy()), np.sort(c.to_numpy())
    nx, ny = len(xa), len(ya)
    rk = stats.rankdata(np.concatenate([xa, ya]), method="average")
    u = nx * np.sum((rk[:nx] - np.arange(1, nx + 1)) ** 2) + ny * np.sum((rk[nx:] - np.arange(1, ny + 1)) ** 2)
    k, N = nx * ny, nx + ny
    tt = u / (k * N) - (4 * k - 1) / (6 * N)
    et = (1 + 1 / N) / 6
    vt = (N + 1.0) * (4 * k * N - 3 * (nx**2 + ny**2) - 2 * k) / (45 * N**2 * 4 * k)
    tn = 1 / 6 + (tt - et) / np.sqrt(45 * vt)
    return 1.0 if tn < 0.003 else max(0, 1.0 - cvm_limit_cdf(tn))


def t_t_test(r, c, t):
    return stats.ttest_ind(r, c)[1]


def t_mannw(r, c, t):
    return stats.mannwhitneyu(x=r, y=c, alternative="less")[1]


def t_es(r, c, t):
    if stats.iqr(np.hstack((r, c))) == 0:
        raise ValueError("IQR is zero")
    return stats.epps_singleton_2samp(r, c)[1]


def t_fisher_exact(r, c, t):
    if r.nunique() > 2 or c.nunique() > 2:
        raise ValueError("Expects binary data")
    if len(r) != len(c):
        raise ValueError("not of equal length")
    keys = sorted(union_keys(r, c), key=str)
    if len(keys) > 2:
        raise ValueError("more than two values together")
    one = keys[-1] if len(keys) == 2 else None
    table = [[int((c == one).sum()), int((c != one).sum())], [int((r == one).sum()), int((r != one).sum())]]
    return stats.fisher_exact(table)[1]


def t_g_test(r, c, t):
    keys = union_keys(r, c)
    return stats.power_divergence(counts(c, keys), counts(r, keys), lambda_="log-likelihood")[1]


def tvd(r, c):
    keys = union_keys(r, c)
    a, b = np.array(counts(r, keys)), np.array(counts(c, keys))
    return 0.5 * np.sum(np.abs(a / sum(a) - b / sum(b)))


def t_TVD(r, c, t):
    observed = tvd(r, c)
    np.random.seed(0)
    hits = []
    for _ in range(1000):
        pooled = r.tolist() + c.tolist()
        nr = np.random.choice(pooled, len(r), replace=False).tolist()
        nc = list((Counter(pooled) - Counter(nr)).elements())
        hits.append(tvd(pd.Series(nr), pd.Series(nc)))
    return sum(observed <= abs(np.array(hits))) / len(hits)


def t_empirical_mmd(r, c, t):
    x, y = r.to_numpy().reshape(-1, 1), c.to_numpy().reshape(-1, 1)

    def sq(a, b):
        return (b**2).T - 2 * np.dot(a, b.T) + a**2

    sigma = (0.5 * np.percentile(sq(x, x).flatten(), 50, method="nearest")) ** 0.5
    if sigma == 0:
        sigma = (0.5 * 1) ** 0.5
    g = 1.0 / (2.0 * sigma**2)
    kxx, kxy, kyy = np.exp(-g * sq(x, x)), np.exp(-g * sq(x, y)), np.exp(-g * sq(y, y))
    K = np.concatenate((np.concatenate((kxx, kxy), axis=1), np.concatenate((kxy.T, kyy), axis=1)), axis=0)
    K = K - np.diag(np.diagonal(K))
    ny = y.shape[0]

    def mmd(K):
        nx = K.shape[0] - ny
        return (1 / (nx * (nx - 1)) * K[:-ny, :-ny].sum() + 1 / (ny * (ny - 1)) * K[-ny:, -ny:].sum()
                - 2.0 * K[-ny:, :-ny].mean())

    m0 = mmd(K)
    np.random.seed(0)
    perms = []
    for _ in range(100):
        idx = np.random.permutation(K.shape[0])
        perms.append(mmd(K[idx][:, idx]))
    return (m0 <= np.array(perms)).mean()


TESTS = {
    "ks": (t_ks, 0.05, "le"), "chisquare": (t_chisquare, 0.05, "lt"), "z": (t_z, 0.05, "lt"),
    "wasserstein": (t_wasserstein, 0.1, "ge"), "jensenshannon": (t_jensenshannon, 0.1, "ge"),
    "psi": (t_psi, 0.1, "ge"), "kl_div": (t_kl_div, 0.1, "ge"), "hellinger": (t_hellinger, 0.1, "ge"),
    "ed": (t_ed, 0.1, "gt"), "anderson": (t_anderson, 0.1, "lt"), "cramer_von_mises": (t_cramer_von_mises, 0.1, "le"),
    "t_test": (t_t_test, 0.05, "lt"), "mannw": (t_mannw, 0.05, "lt"), "es": (t_es, 0.05, "lt"),
    "fisher_exact": (t_fisher_exact, 0.1, "lt"), "g_test": (t_g_test, 0.1, "lt"), "TVD": (t_TVD, 0.1, "lt"),
    "empirical_mmd": (t_empirical_mmd, 0.1, "lt"),
}


def default_test(r, c, t):
    nv = pd.concat([r, c]).nunique()
    if r.shape[0] <= 1000:
        if t == "num" and nv > 5:
            return "ks"
        return "chisquare" if nv > 2 else "z"
    return "wasserstein" if t == "num" and nv > 5 else "jensenshannon"


def drifted(score, thr, rule):
    return {"le": score <= thr, "lt": score < thr, "ge": score >= thr, "gt": score > thr}[rule]


# ---- data -----------------------------------------------------------------

def uniform(seed, n, scale=1.0, shift=0.0, power=1, step=0.0):
    """Spec of a sample the Go test regenerates exactly: u = random_sample,
    x = (u**power) * scale + shift, rounded down to a multiple of step when
    step > 0 (floor(x/step)*step)."""
    return {"seed": seed, "n": n, "scale": scale, "shift": shift, "power": power, "step": step}


def draw(spec):
    u = np.random.RandomState(spec["seed"]).random_sample(spec["n"])
    x = u
    for _ in range(spec["power"] - 1):
        x = x * u
    x = x * spec["scale"] + spec["shift"]
    if spec["step"] > 0:
        x = np.floor(x / spec["step"]) * spec["step"]
    return x


def values(v):
    return [None if isinstance(x, float) and math.isnan(x) else x for x in v]


def series(spec, typ):
    if isinstance(spec, dict):
        return pd.Series(draw(spec))
    if typ == "num":
        return pd.Series([np.nan if x is None else x for x in spec], dtype=float)
    return pd.Series(spec, dtype=object)


def make_case(name, typ, ref, cur, tests):
    r_all, c_all = series(ref, typ), series(cur, typ)
    r, c = r_all.dropna(), c_all.dropna()
    out = {"name": name, "type": typ, "reference": ref, "current": cur, "results": {}}
    for key in tests:
        if key == "default":
            key_used = default_test(r, c, typ)
        else:
            key_used = key
        fn, thr, rule = TESTS[key_used]
        try:
            score = float(fn(r.copy(), c.copy(), typ))
        except (ValueError, ZeroDivisionError) as e:
            out["results"][key] = {"stattest": key_used, "error": str(e)[:80]}
            continue
        if math.isnan(score):
            out["results"][key] = {"stattest": key_used, "error": "nan"}
            continue
        out["results"][key] = {"stattest": key_used, "score": score, "drift_detected": bool(drifted(score, thr, rule))}
    return out


def rs(seed):
    return np.random.RandomState(seed)


ALL_NUM = ["default", "ks", "wasserstein", "jensenshannon", "psi", "kl_div", "hellinger", "ed", "anderson",
           "cramer_von_mises", "t_test", "mannw", "es", "empirical_mmd"]
ALL_CAT = ["default", "chisquare", "z", "jensenshannon", "psi", "kl_div", "hellinger", "g_test", "fisher_exact", "TVD"]
NO_MMD = [k for k in ALL_NUM if k != "empirical_mmd"]


def cases():
    out = []
    g = rs(1)
    # small continuous samples, unequal sizes
    out.append(make_case("normal_small_unequal", "num", list(g.normal(0, 1, 120)), list(g.normal(0.3, 1.2, 95)), ALL_NUM))
    # tiny samples: exact CvM (<= 20), exact Mann-Whitney (<= 8), ES small-sample correction
    out.append(make_case("tiny", "num", list(g.normal(0, 1, 7)), list(g.normal(1, 1, 12)), ALL_NUM))
    out.append(make_case("tiny_equal", "num", list(g.normal(0, 1, 15)), list(g.normal(0, 2, 15)), ALL_NUM))
    out.append(make_case("mannw_exact_upper", "num", list(g.normal(2, 1, 6)), list(g.normal(0, 1, 40)), ["mannw", "ks", "cramer_von_mises"]))
    # integers with ties, few distinct values: z, chisquare on num columns
    out.append(make_case("int_3_values", "num", [float(x) for x in g.randint(0, 3, 300)], [float(x) for x in g.randint(0, 3, 280)], ALL_NUM))
    out.append(make_case("int_2_values", "num", [float(x) for x in g.randint(0, 2, 500)], [float(x) for x in (g.rand(450) < 0.6)], ALL_NUM))
    out.append(make_case("int_6_values_ties", "num", [float(x) for x in g.randint(1, 7, 800)], [float(x) for x in g.randint(1, 7, 800)], ALL_NUM))
    # larger discrete numeric: JS on value counts (ref <= 20 distinct) and on Sturges bins (> 20)
    out.append(make_case("int_10_values_large", "num", [float(x) for x in g.randint(0, 10, 3000)], [float(x) for x in g.randint(0, 12, 2500)], NO_MMD))
    out.append(make_case("int_40_values_large", "num", [float(x) for x in g.randint(0, 40, 2600)], [float(x) for x in g.randint(3, 43, 2400)], NO_MMD))
    # missing values in both
    ref = list(g.normal(0, 1, 400)); cur = list(g.normal(0.2, 1, 380))
    for i in range(0, 400, 7):
        ref[i] = float("nan")
    for i in range(0, 380, 5):
        cur[i] = float("nan")
    out.append(make_case("with_nan", "num", values(ref), values(cur), ALL_NUM))
    # skewed, heavy tails
    out.append(make_case("lognormal_shift", "num", list(g.lognormal(0, 1, 900)), list(g.lognormal(0.2, 1, 700)), ALL_NUM))
    out.append(make_case("constant_vs_constant", "num", [3.0] * 50, [3.0] * 40, ["default", "ks", "wasserstein", "jensenshannon", "psi", "kl_div", "hellinger", "ed", "t_test", "mannw", "es", "cramer_von_mises"]))
    out.append(make_case("constant_vs_other", "num", [3.0] * 50, [4.0] * 40, ["default", "ks", "wasserstein", "jensenshannon", "psi", "kl_div", "hellinger", "ed", "mannw", "cramer_von_mises"]))
    out.append(make_case("identical", "num", list(rs(5).normal(0, 1, 300)), list(rs(5).normal(0, 1, 300)), ALL_NUM))
    # KS: exact p-value with very different sizes, and the asymptotic kstwo branches
    out.append(make_case("ks_exact_10000_vs_37", "num", uniform(11, 10000), uniform(12, 37, 1.0, 0.05), ["ks"]))
    out.append(make_case("ks_asymp_pomeranz", "num", uniform(13, 12000), uniform(14, 90, 1.0, 0.08), ["ks", "default"]))
    out.append(make_case("ks_asymp_durbin_small_n", "num", uniform(15, 10500), uniform(16, 120, 1.0, 0.002), ["ks"]))
    out.append(make_case("ks_asymp_smirnov", "num", uniform(17, 20000), uniform(18, 3000, 1.0, 0.06), ["ks"]))
    out.append(make_case("ks_asymp_durbin", "num", uniform(19, 20000), uniform(20, 15000, 1.0, 0.004), ["ks"]))
    out.append(make_case("ks_asymp_pelz_good", "num", uniform(21, 150000), uniform(22, 120000, 1.0, 0.003), ["ks"]))
    out.append(make_case("ks_asymp_tail", "num", uniform(23, 30000), uniform(24, 20000, 1.0, 0.3), ["ks"]))
    # large numeric: Wasserstein, binned JS/PSI/KL with tiny shares (zero fill branch), Hellinger
    out.append(make_case("large_uniform_power", "num", uniform(25, 30000, 10.0, -2.0, 3), uniform(26, 25000, 11.0, -2.0, 3), ["default", "wasserstein", "jensenshannon", "psi", "kl_div", "hellinger", "ed", "t_test", "anderson", "mannw", "cramer_von_mises", "es"]))
    out.append(make_case("large_rounded", "num", uniform(27, 20000, 100.0, 0.0, 2, 0.5), uniform(28, 20000, 100.0, 3.0, 2, 0.5), ["default", "ks", "jensenshannon", "psi", "kl_div", "hellinger", "anderson", "mannw", "cramer_von_mises"]))
    # categorical
    levels = ["a", "b", "c", "d", "e"]
    out.append(make_case("cat_5_levels", "cat", list(g.choice(levels, 400, p=[.3, .3, .2, .1, .1])), list(g.choice(levels, 350, p=[.25, .3, .25, .1, .1])), ALL_CAT))
    out.append(make_case("cat_new_level", "cat", list(g.choice(["x", "y", "z"], 300)), list(g.choice(["x", "y", "z", "w"], 300, p=[.3, .3, .3, .1])), ALL_CAT))
    out.append(make_case("cat_lost_level", "cat", list(g.choice(["x", "y", "z"], 300)), list(g.choice(["x", "y"], 300)), ALL_CAT))
    out.append(make_case("cat_binary_equal", "cat", list(g.choice(["no", "yes"], 200, p=[.6, .4])), list(g.choice(["no", "yes"], 200, p=[.45, .55])), ALL_CAT))
    out.append(make_case("cat_binary_one_sided", "cat", ["A"] * 30, list(g.choice(["A", "B"], 30)), ALL_CAT))
    out.append(make_case("cat_single_same", "cat", ["k"] * 20, ["k"] * 25, ["default", "z", "jensenshannon", "psi", "kl_div", "hellinger", "TVD"]))
    out.append(make_case("cat_large_many", "cat", list(g.choice(["l%02d" % i for i in range(19)], 5000)), list(g.choice(["l%02d" % i for i in range(19)], 5000)), ["default", "chisquare", "z", "jensenshannon", "psi", "kl_div", "hellinger", "g_test"]))
    out.append(make_case("cat_unicode", "cat", list(g.choice(["é", "Z", "a", "ß"], 150)), list(g.choice(["é", "Z", "a"], 160)), ["default", "z", "chisquare", "jensenshannon"]))
    cat_nan = list(g.choice(["p", "q", "r"], 250))
    for i in range(0, 250, 9):
        cat_nan[i] = None
    out.append(make_case("cat_with_missing", "cat", cat_nan, list(g.choice(["p", "q", "r"], 240)), ALL_CAT))
    out.append(make_case("fisher_small", "cat", list(g.choice(["t", "f"], 12, p=[.2, .8])), list(g.choice(["t", "f"], 12, p=[.7, .3])), ["fisher_exact", "z", "chisquare", "g_test", "TVD"]))
    out.append(make_case("fisher_large", "cat", list(g.choice(["t", "f"], 3000, p=[.5, .5])), list(g.choice(["t", "f"], 3000, p=[.47, .53])), ["fisher_exact", "g_test", "default"]))
    return out


# ---- special functions -------------------------------------------------------

def specials():
    ks = []
    for n in [3, 20, 100, 140, 141, 400, 5000, 50000, 100001, 300000, 3000000]:
        for nxx in [0.2, 0.5, 0.75, 0.9, 1.5, 2.1, 2.5, 3.9, 4.5, 10, 17, 30, 100, 360, 380]:
            d = math.sqrt(nxx / n)
            if d < 1:
                ks.append([n, d, float(stats.kstwo.sf(d, n))])
        for d in [0.6 / n, 0.9 / n, 0.55, 0.8, 1 - 1.5 / n]:
            if 0 < d < 1:
                ks.append([n, d, float(stats.kstwo.sf(d, n))])
    smir = [[n, x, float(special.smirnov(n, x))] for n in [2, 5, 30, 200, 1500, 60000, 999999, 2000000]
            for x in [0.001, 0.02, 0.1, 0.3, 0.5, 0.9]]
    chi2 = [[x, df, float(stats.chi2.sf(x, df))] for df in [1, 2, 3, 4, 7.5, 30, 999]
            for x in [0, 1e-8, 0.5, 1, 3.3, 10, 50, 200, 1500]]
    tt = [[t, df, float(2 * special.stdtr(df, -abs(t)))] for df in [1, 2, 5, 28, 98, 1000, 19998, 2e6]
          for t in [0, 0.1, -1.3, 2.5, 8, 40, -300]]
    nd = [[x, float(special.ndtr(x))] for x in [-40, -8.3, -5, -1.2, -0.5, 0, 0.3, 0.70710678, 1, 3, 9]]
    kv = [[x, float(special.kv(0.25, x))] for x in [1e-4, 1e-3, 0.01, 0.1, 0.5, 5, 10, 20, 50, 100, 300, 650]]
    return {"kstwo_sf": ks, "smirnov": smir, "chi2_sf": chi2, "t_two_sided": tt, "ndtr": nd, "kv_quarter": kv}


def main():
    doc = {"generator": "drift/testdata/scipy/generate.py", "scipy": __import__("scipy").__version__,
           "numpy": np.__version__, "pandas": pd.__version__, "specials": specials(), "cases": cases()}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
