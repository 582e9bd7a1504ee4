package estimate

import (
	"errors"
	"math"
	"slices"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// stratifiedShuffleSplit returns the test indices of scikit-learn's
// StratifiedShuffleSplit(n_splits=splits, test_size=testSize,
// random_state=seed).split(X, y) for labels y (sklearn/model_selection/
// _split.py, 1.2.1): per split, the train and test sizes of each class are
// drawn with _approximate_mode, each class's rows are permuted, and the
// train and test rows are permuted once more. Train and test together need
// not cover every row.
//
// It fails where scikit-learn raises: a class with fewer than two rows, or
// fewer train or test rows than classes.
func stratifiedShuffleSplit(y []int, splits int, testSize float64, seed uint32) (train, test [][]int, err error) {
	n := len(y)
	nTest := int(math.Ceil(testSize * float64(n)))
	nTrain := n - nTest
	if nTrain <= 0 || nTest <= 0 {
		return nil, nil, errors.New("too few rows to split")
	}
	// np.unique(y, return_inverse=True): classes in increasing order.
	classes := slices.Clone(y)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	counts := make([]int, len(classes))
	members := make([][]int, len(classes)) // rows of each class, increasing
	for i, v := range y {
		c, _ := slices.BinarySearch(classes, v)
		counts[c]++
		members[c] = append(members[c], i)
	}
	if slices.Min(counts) < 2 {
		return nil, nil, errors.New("the least populated class has only 1 row")
	}
	if nTrain < len(classes) || nTest < len(classes) {
		return nil, nil, errors.New("fewer train or test rows than classes")
	}
	rng := numpy.NewRandomState(seed)
	remaining := make([]int, len(counts))
	for range splits {
		nI := approximateMode(counts, nTrain, rng)
		for i := range counts {
			remaining[i] = counts[i] - nI[i]
		}
		tI := approximateMode(remaining, nTest, rng)
		tr := make([]int, 0, nTrain)
		te := make([]int, 0, nTest)
		for c := range classes {
			perm := rng.Permutation(counts[c])
			for k, p := range perm {
				switch {
				case k < nI[c]:
					tr = append(tr, members[c][p])
				case k < nI[c]+tI[c]:
					te = append(te, members[c][p])
				}
			}
		}
		numpy.Shuffle(rng, tr)
		numpy.Shuffle(rng, te)
		train = append(train, tr)
		test = append(test, te)
	}
	return train, test, nil
}

// approximateMode is scikit-learn's _approximate_mode (sklearn/utils/
// __init__.py): floor(counts/total·draws) per class, then one more for the
// classes with the largest remainders, ties broken with rng.choice(...,
// replace=False), which is a permutation of the tied classes.
func approximateMode(counts []int, draws int, rng *numpy.RandomState) []int {
	total := 0
	for _, c := range counts {
		total += c
	}
	floored := make([]int, len(counts))
	remainder := make([]float64, len(counts))
	sumFloored := 0
	for i, c := range counts {
		cont := float64(c) / float64(total) * float64(draws)
		f := math.Floor(cont)
		floored[i] = int(f)
		remainder[i] = cont - f
		sumFloored += int(f)
	}
	need := draws - sumFloored
	if need <= 0 {
		return floored
	}
	values := slices.Clone(remainder)
	slices.Sort(values)
	values = slices.Compact(values)
	for v := len(values) - 1; v >= 0 && need > 0; v-- {
		var inds []int
		for i, r := range remainder {
			if r == values[v] {
				inds = append(inds, i)
			}
		}
		add := min(len(inds), need)
		perm := rng.Permutation(len(inds))
		for _, p := range perm[:add] {
			floored[inds[p]]++
		}
		need -= add
	}
	return floored
}
