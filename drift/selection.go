package drift

// DefaultTest returns the test Evidently chooses when none is configured
// (stattests/registry.py::_get_default_stattest), from the column type, the
// number of non-missing reference values nRef and the number of distinct
// values of reference and current together, nValues:
//
//	                      nRef <= 1000   nRef > 1000
//	num, nValues <= 2     z              jensenshannon
//	num, nValues 3..5     chisquare      jensenshannon
//	num, nValues > 5      ks             wasserstein
//	cat, nValues <= 2     z              jensenshannon
//	cat, nValues > 2      chisquare      jensenshannon
//
// Only the reference size matters; the boundary 1000 is inclusive.
func DefaultTest(typ ColumnType, nRef, nValues int) string {
	if nRef <= 1000 {
		if typ == Numerical && nValues > 5 {
			return "ks"
		}
		if nValues > 2 {
			return "chisquare"
		}
		return "z"
	}
	if typ == Numerical && nValues > 5 {
		return "wasserstein"
	}
	return "jensenshannon"
}
