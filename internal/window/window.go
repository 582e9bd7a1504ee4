package window

import (
	"slices"
	"sort"
)

// DefaultSize is the number of labelled predictions a window keeps, and
// DefaultMinCount the number it needs before its metrics are published (the
// specification's 1000 and 100).
const (
	DefaultSize     = 1000
	DefaultMinCount = 100
)

// entry is one labelled prediction in the window.
type entry struct {
	seq   int64  // label sequence number: order of first label arrival
	truth string // ground truth
	pred  string // predicted class
}

// classCounts are the per-class counts behind the metrics.
type classCounts struct {
	support int // entries whose ground truth is the class
	pred    int // entries predicted as the class
	tp      int // entries with both
}

// Window is a fixed-size sliding window of labelled predictions. The zero
// value is not usable; call New. A Window is not safe for concurrent use.
type Window struct {
	ring    []entry
	head    int // index of the oldest entry
	n       int // number of entries
	correct int
	bySeq   map[int64]int // seq → ring index
	classes map[string]*classCounts
}

// New returns an empty window of the given size (DefaultSize when size <= 0).
func New(size int) *Window {
	if size <= 0 {
		size = DefaultSize
	}
	return &Window{
		ring:    make([]entry, size),
		bySeq:   make(map[int64]int, size),
		classes: make(map[string]*classCounts),
	}
}

// Size returns the window's capacity.
func (w *Window) Size() int { return len(w.ring) }

// Len returns the number of labelled predictions in the window.
func (w *Window) Len() int { return w.n }

// Newest returns the label sequence number of the newest entry, or 0 when the
// window is empty.
func (w *Window) Newest() int64 {
	if w.n == 0 {
		return 0
	}
	return w.at(w.n - 1).seq
}

// Observe records that the prediction with label sequence number seq has
// ground truth truth and predicted class pred. The window holds the Size
// entries with the highest sequence numbers, whatever order they are observed
// in:
//   - a seq already in the window is a corrected label: it is replaced in place;
//   - a seq newer than every entry is appended, evicting the oldest entry when
//     the window is full (the common case, O(1));
//   - an older seq that still belongs among the Size newest (a label that was
//     read late) is inserted in order, evicting the oldest when full;
//   - a seq older than every entry of a full window (a correction of a
//     prediction that has already left it) changes nothing.
//
// Observe reports whether the window changed.
func (w *Window) Observe(seq int64, truth, pred string) bool {
	if i, ok := w.bySeq[seq]; ok {
		e := &w.ring[i]
		if e.truth == truth && e.pred == pred {
			return false
		}
		w.remove(*e)
		e.truth, e.pred = truth, pred
		w.add(*e)
		return true
	}
	full := w.n == len(w.ring)
	if full && seq < w.ring[w.head].seq {
		return false
	}
	if full {
		old := w.ring[w.head]
		w.remove(old)
		delete(w.bySeq, old.seq)
		w.head = (w.head + 1) % len(w.ring)
		w.n--
	}
	// Position k (0 = oldest) where seq belongs; the end in the common case.
	k := w.n
	for k > 0 && w.at(k-1).seq > seq {
		k--
	}
	// Shift the newer entries up by one.
	for j := w.n; j > k; j-- {
		prev := w.at(j - 1)
		w.ring[w.index(j)] = prev
		w.bySeq[prev.seq] = w.index(j)
	}
	i := w.index(k)
	w.ring[i] = entry{seq: seq, truth: truth, pred: pred}
	w.bySeq[seq] = i
	w.n++
	w.add(w.ring[i])
	return true
}

// index returns the ring index of the k-th oldest entry.
func (w *Window) index(k int) int { return (w.head + k) % len(w.ring) }

// at returns the k-th oldest entry.
func (w *Window) at(k int) entry { return w.ring[w.index(k)] }

func (w *Window) counts(class string) *classCounts {
	c := w.classes[class]
	if c == nil {
		c = &classCounts{}
		w.classes[class] = c
	}
	return c
}

func (w *Window) add(e entry) {
	w.counts(e.truth).support++
	w.counts(e.pred).pred++
	if e.truth == e.pred {
		w.classes[e.truth].tp++
		w.correct++
	}
}

func (w *Window) remove(e entry) {
	t, p := w.classes[e.truth], w.classes[e.pred]
	t.support--
	p.pred--
	if e.truth == e.pred {
		t.tp--
		w.correct--
	}
	// Forget classes that no longer occur so the map stays as small as the
	// window's content.
	if t.support == 0 && t.pred == 0 {
		delete(w.classes, e.truth)
	}
	if p.support == 0 && p.pred == 0 {
		delete(w.classes, e.pred)
	}
}

// Metrics are classification metrics over a window.
type Metrics struct {
	Count     int     // labelled predictions in the window
	Accuracy  float64 // share of predictions equal to their ground truth
	Precision float64 // support-weighted mean of per-class precision
	Recall    float64 // support-weighted mean of per-class recall
	F1        float64 // support-weighted mean of per-class F1
}

// Metrics computes the window's metrics. The classes are the union of ground
// truths and predicted classes in the window; per-class precision, recall and
// F1 are 0 where their denominator is 0 (scikit-learn's zero_division=0), and
// the averages are weighted by each class's ground-truth support
// (average='weighted'). An empty window gives zero Metrics.
func (w *Window) Metrics() Metrics { return weighted(w.classes, w.n, w.correct) }

// sortLabels sorts class labels the way numpy sorts them when they are all
// integers (numerically), else lexically.
func sortLabels(names []string) {
	ints := make(map[string]int64, len(names))
	for _, s := range names {
		v, ok := parseInt(s)
		if !ok {
			sort.Strings(names)
			return
		}
		ints[s] = v
	}
	slices.SortFunc(names, func(a, b string) int {
		switch x, y := ints[a], ints[b]; {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	})
}

func parseInt(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
		if s == "" {
			return 0, false
		}
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
