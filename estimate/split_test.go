package estimate

import (
	"slices"
	"testing"
)

func TestStratifiedShuffleSplitMatchesScikitLearn(t *testing.T) {
	for _, c := range readGolden(t).Numpy.Splits {
		train, test, err := stratifiedShuffleSplit(c.Y, len(c.Folds), 0.1, 42)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		for i, f := range c.Folds {
			if !slices.Equal(train[i], f.Train) || !slices.Equal(test[i], f.Test) {
				t.Errorf("%s fold %d: train %v test %v, want train %v test %v", c.Name, i, train[i], test[i], f.Train, f.Test)
			}
		}
	}
}

func TestStratifiedShuffleSplitFailsWhereScikitLearnRaises(t *testing.T) {
	for name, y := range map[string][]int{
		"class with one row":           {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		"fewer test rows than classes": {0, 0, 1, 1, 0, 1, 0, 1, 0, 1},
		"no rows":                      {},
	} {
		if _, _, err := stratifiedShuffleSplit(y, 10, 0.1, 42); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
