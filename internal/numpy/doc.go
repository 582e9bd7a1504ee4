// Package numpy reproduces the parts of NumPy whose exact results the
// references depend on: the legacy RandomState draws (bounded integers by
// masked rejection, shuffles and permutations) that Evidently's permutation
// tests and scikit-learn's splits use, and np.sum's pairwise summation,
// whose rounding SciPy's and NannyML's statistics inherit.
package numpy
