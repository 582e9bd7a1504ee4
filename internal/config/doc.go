// Package config reads modelwatch's optional YAML configuration file and
// gives its values to kong as a resolver.
//
// The file is a flat mapping whose keys are the flag names of the command
// it is given to, exactly as written on the command line without the
// dashes in front (kebab-case: data-dir, alertmanager-url), and whose
// values are what the flag would take:
//
//	addr: ":8080"
//	data-dir: /var/lib/modelwatch
//	metrics-public: true
//	check-interval: 1m
//	alertmanager-url: [http://alertmanager-0:9093, http://alertmanager-1:9093]
//
// A value means what it means on the command line: a duration needs its
// unit, a relative path is relative to the working directory, a list flag
// takes a YAML list (or a single comma-separated value, as the flag does).
//
// Precedence, highest first: a flag on the command line, its environment
// variable (MODELWATCH_<FLAG>, even when empty), the file, the flag's
// default. A key that is not a flag of the command, a value the flag does
// not accept and a file that cannot be read are errors that name the file,
// the line and the key.
//
// A command takes the file with a field of type Flag; its BeforeResolve hook
// loads the file and adds the resolver when kong parses the command line.
package config
