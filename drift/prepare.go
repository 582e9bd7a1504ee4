package drift

import (
	"context"
	"fmt"
	"sync"
)

// Reference is a reference dataset prepared once (cleaned, sorted, counted)
// and compared with any number of current datasets. It keeps its own copy
// of the data and is safe for concurrent use.
type Reference struct {
	opts    Options
	columns []*refColumn
}

// refColumn is one prepared reference column with its configuration.
type refColumn struct {
	name      string
	typ       ColumnType
	invalid   string
	num       *numSample
	cat       *catSample
	test      *stattest // explicitly configured test, or nil for the default
	threshold float64
	hasThr    bool
	reason    string // set when the configured test cannot apply
	input     Column // the reference column until it is loaded
}

// Prepare cleans and indexes the reference columns for repeated
// comparisons. The options are checked and bound to the result.
func Prepare(reference []Column, opts Options) (*Reference, error) {
	return prepare(context.Background(), reference, opts, true)
}

// Compare compares one current dataset with the prepared reference.
// Reference columns missing from current are reported as not computable;
// current columns absent from the reference are ignored.
func (r *Reference) Compare(current []Column) (Report, error) {
	return r.CompareContext(context.Background(), current)
}

// CompareContext is Compare with a context that can cancel the work.
func (r *Reference) CompareContext(ctx context.Context, current []Column) (Report, error) {
	cur, err := byName(current, "current")
	if err != nil {
		return Report{}, err
	}
	rep := Report{DriftShare: r.opts.driftShare(), Columns: make([]ColumnResult, len(r.columns))}
	err = parallel(ctx, len(r.columns), r.opts.workers(), func(i int, s *scratch) {
		rc := r.columns[i]
		c, ok := cur[rc.name]
		rep.Columns[i] = rc.compare(c, ok, s)
	})
	if err != nil {
		return Report{}, err
	}
	rep.finish()
	return rep, nil
}

// Compare compares a current dataset with a reference in one go. It uses
// less memory than Prepare followed by Compare, because each reference
// column is released as soon as its result is known.
func Compare(reference, current []Column, opts Options) (Report, error) {
	return CompareContext(context.Background(), reference, current, opts)
}

// CompareContext is Compare with a context that can cancel the work.
func CompareContext(ctx context.Context, reference, current []Column, opts Options) (Report, error) {
	ref, err := prepare(ctx, reference, opts, false)
	if err != nil {
		return Report{}, err
	}
	cur, err := byName(current, "current")
	if err != nil {
		return Report{}, err
	}
	rep := Report{DriftShare: opts.driftShare(), Columns: make([]ColumnResult, len(ref.columns))}
	err = parallel(ctx, len(ref.columns), opts.workers(), func(i int, s *scratch) {
		rc := ref.columns[i]
		rc.load(s, false)
		c, ok := cur[rc.name]
		rep.Columns[i] = rc.compare(c, ok, s)
		rc.num, rc.cat = nil, nil
	})
	if err != nil {
		return Report{}, err
	}
	rep.finish()
	return rep, nil
}

// prepare validates the reference and the options and, when load is set,
// builds every column's sample in parallel. Without load the columns keep
// a pointer to their input for the caller to load one at a time.
func prepare(ctx context.Context, reference []Column, opts Options, load bool) (*Reference, error) {
	names := make(map[string]ColumnType, len(reference))
	for _, c := range reference {
		if _, dup := names[c.Name]; dup {
			return nil, fmt.Errorf("reference: column %q appears twice", c.Name)
		}
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("reference: %w", err)
		}
		names[c.Name] = c.Type
	}
	if err := opts.validate(names); err != nil {
		return nil, err
	}
	selected := reference
	if len(opts.Columns) > 0 {
		want := make(map[string]bool, len(opts.Columns))
		for _, n := range opts.Columns {
			want[n] = true
		}
		selected = nil
		for _, c := range reference {
			if want[c.Name] {
				selected = append(selected, c)
			}
		}
	}
	r := &Reference{opts: opts, columns: make([]*refColumn, len(selected))}
	for i, c := range selected {
		r.columns[i] = configure(c, opts)
	}
	if !load {
		return r, nil
	}
	err := parallel(ctx, len(r.columns), opts.workers(), func(i int, s *scratch) {
		r.columns[i].load(s, true)
	})
	if err != nil {
		return nil, err
	}
	for _, rc := range r.columns {
		rc.input = Column{}
	}
	return r, nil
}

// byName indexes a dataset's columns by name.
func byName(cols []Column, what string) (map[string]Column, error) {
	m := make(map[string]Column, len(cols))
	for _, c := range cols {
		if _, dup := m[c.Name]; dup {
			return nil, fmt.Errorf("%s: column %q appears twice", what, c.Name)
		}
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		m[c.Name] = c
	}
	return m, nil
}

// parallel runs f(i) for i in [0, n) on up to workers goroutines, each
// with its own scratch space. It stops handing out work once ctx is done.
func parallel(ctx context.Context, n, workers int, f func(i int, s *scratch)) error {
	workers = max(1, min(workers, n))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &scratch{}
			for i := range next {
				f(i, s)
			}
		}()
	}
	var err error
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}
