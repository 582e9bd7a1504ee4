package metrics

import (
	"sync"

	"github.com/modelwatch/modelwatch"
)

// Other is the label value that stands for every value past the cap.
const Other = "__other__"

// DefaultMaxLabelValues is the default cap on distinct user-supplied values
// of one label per model version.
const DefaultMaxLabelValues = 100

// limiter caps the distinct values of a label per model version: the first
// max values seen are kept, later new values are reported as Other.
type limiter struct {
	max  int
	mu   sync.RWMutex
	seen map[modelwatch.ModelKey]map[string]struct{}
}

func newLimiter(limit int) *limiter {
	return &limiter{max: limit, seen: map[modelwatch.ModelKey]map[string]struct{}{}}
}

// value returns v if it may be used as a label value for k, else Other.
func (l *limiter) value(k modelwatch.ModelKey, v string) string {
	l.mu.RLock()
	set, ok := l.seen[k]
	_, known := set[v]
	l.mu.RUnlock()
	if known {
		return v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !ok {
		set = l.seen[k]
		if set == nil {
			set = map[string]struct{}{}
			l.seen[k] = set
		}
	}
	if _, known := set[v]; known {
		return v
	}
	if len(set) >= l.max {
		return Other
	}
	set[v] = struct{}{}
	return v
}
