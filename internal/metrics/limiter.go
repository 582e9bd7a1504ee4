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

// DefaultMaxModelVersions is the default cap on the model versions that get
// series of their own.
const DefaultMaxModelVersions = 1000

// limiter caps the distinct values of a label per model version: the first
// max values seen are kept, later new values are reported as Other, and
// overflow is called for each value so reported.
type limiter struct {
	max      int
	overflow func()
	mu       sync.RWMutex
	seen     map[modelwatch.ModelKey]map[string]struct{}
}

func newLimiter(limit int, overflow func()) *limiter {
	return &limiter{max: limit, overflow: overflow, seen: map[modelwatch.ModelKey]map[string]struct{}{}}
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
		if l.overflow != nil {
			l.overflow()
		}
		return Other
	}
	set[v] = struct{}{}
	return v
}

// versionCap admits the first max model versions it is asked about; the
// series of later ones are merged or dropped. Model names and versions come
// from clients, so without it a client sending random versions would create
// series without bound. It is safe for concurrent use.
type versionCap struct {
	max      int
	overflow func() // called for each use of a version past the cap
	mu       sync.RWMutex
	keys     map[modelwatch.ModelKey]struct{}
	names    map[string]struct{}
}

func newVersionCap(limit int, overflow func()) *versionCap {
	return &versionCap{max: limit, overflow: overflow, keys: map[modelwatch.ModelKey]struct{}{}, names: map[string]struct{}{}}
}

// admit reports whether k has series of its own, admitting it when there is
// room.
func (c *versionCap) admit(k modelwatch.ModelKey) bool {
	c.mu.RLock()
	_, ok := c.keys[k]
	c.mu.RUnlock()
	if ok {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.keys[k]; ok {
		return true
	}
	if len(c.keys) >= c.max {
		if c.overflow != nil {
			c.overflow()
		}
		return false
	}
	c.keys[k] = struct{}{}
	c.names[k.Name] = struct{}{}
	return true
}

// key returns the labels under which k's counters and histograms are
// recorded: k itself when admitted, else model_version Other and the model
// name when one of its versions was admitted (Other too when none was), so
// that past the cap there are at most as many overflow series as names.
func (c *versionCap) key(k modelwatch.ModelKey) modelwatch.ModelKey {
	if c.admit(k) {
		return k
	}
	c.mu.RLock()
	_, known := c.names[k.Name]
	c.mu.RUnlock()
	if known {
		return modelwatch.ModelKey{Name: k.Name, Version: Other}
	}
	return modelwatch.ModelKey{Name: Other, Version: Other}
}
