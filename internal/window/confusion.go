package window

// Confusion is a confusion matrix filled from counts: the labelled
// predictions of a rollup bucket or of a whole period rather than of a
// sliding window. Its Metrics are computed by the same code as a Window's.
// The zero value is an empty matrix.
type Confusion struct {
	n, correct int
	classes    map[string]*classCounts
}

// Add counts n labelled predictions whose ground truth is truth and whose
// predicted class is pred. Counts of zero or less are ignored: a stored
// confusion count is never negative, and skipping keeps every denominator
// positive.
func (c *Confusion) Add(truth, pred string, n int64) {
	if n <= 0 {
		return
	}
	if c.classes == nil {
		c.classes = make(map[string]*classCounts, 4)
	}
	k := int(n)
	get := func(class string) *classCounts {
		cc := c.classes[class]
		if cc == nil {
			cc = &classCounts{}
			c.classes[class] = cc
		}
		return cc
	}
	get(truth).support += k
	get(pred).pred += k
	if truth == pred {
		c.classes[truth].tp += k
		c.correct += k
	}
	c.n += k
}

// Len returns the number of labelled predictions counted.
func (c *Confusion) Len() int { return c.n }

// Metrics computes accuracy and the support-weighted precision, recall and
// F1 of the counted predictions exactly as Window.Metrics does (see there:
// scikit-learn's average='weighted' with zero_division=0). An empty matrix
// gives zero Metrics.
func (c *Confusion) Metrics() Metrics { return weighted(c.classes, c.n, c.correct) }

// weighted computes Metrics from per-class counts of n labelled
// predictions, correct of them right. The classes are the union of ground
// truths and predicted classes; per-class precision, recall and F1 are 0
// where their denominator is 0 (scikit-learn's zero_division=0), and the
// averages are weighted by each class's ground-truth support
// (average='weighted').
func weighted(classes map[string]*classCounts, n, correct int) Metrics {
	m := Metrics{Count: n}
	if n == 0 {
		return m
	}
	// Sum in sorted class order, as scikit-learn does, so results agree to the
	// last bits as often as possible.
	names := make([]string, 0, len(classes))
	for name := range classes {
		names = append(names, name)
	}
	sortLabels(names)
	var wp, wr, wf float64
	var total int
	for _, name := range names {
		c := classes[name]
		if c.support == 0 {
			continue // weight 0
		}
		var precision, recall, f1 float64
		if c.pred > 0 {
			precision = float64(c.tp) / float64(c.pred)
		}
		recall = float64(c.tp) / float64(c.support)
		if precision+recall > 0 {
			f1 = 2 * precision * recall / (precision + recall)
		}
		s := float64(c.support)
		wp += precision * s
		wr += recall * s
		wf += f1 * s
		total += c.support
	}
	t := float64(total)
	m.Accuracy = float64(correct) / float64(n)
	m.Precision = wp / t
	m.Recall = wr / t
	m.F1 = wf / t
	return m
}
