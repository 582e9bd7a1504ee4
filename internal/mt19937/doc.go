// Package mt19937 is the Mersenne Twister MT19937 of Matsumoto and Nishimura
// (mt19937ar.c), the generator behind NumPy's legacy RandomState and
// CPython's random module. Reproducing it lets modelwatch draw exactly the
// samples, permutations and splits that Evidently, River, scikit-learn and
// NannyML draw for the same seed.
package mt19937
