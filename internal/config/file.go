package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// File is a parsed configuration file: flag names and the YAML values given
// for them, in file order.
type File struct {
	// Name is the file's path as given, for messages.
	Name    string
	entries []entry
}

// entry is one key of the file and its value.
type entry struct {
	key   string
	line  int
	value *yaml.Node
}

// Load reads and parses the configuration file at path.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	return Parse(path, data)
}

// Parse parses the contents of a configuration file; name says in messages
// which file it is. An empty document is a file without keys.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		return nil, fmt.Errorf("parse config file %s: %w", name, err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, fmt.Errorf("parse config file %s: %w", name, err)
		}
		return nil, fmt.Errorf("%s:%d: a config file holds one YAML document", name, more.Line)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return f, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return f, nil // only comments
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of flag names to values, like data-dir: ./modelwatch-data", name, root.Line)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, fmt.Errorf("%s:%d: key %q: want a flag name", name, k.Line, k.Value)
		}
		if line, ok := seen[k.Value]; ok {
			return nil, fmt.Errorf("%s:%d: %s: given twice (first on line %d)", name, k.Line, k.Value, line)
		}
		seen[k.Value] = k.Line
		f.entries = append(f.entries, entry{key: k.Value, line: k.Line, value: v})
	}
	return f, nil
}

// Keys returns the file's keys in file order.
func (f *File) Keys() []string {
	keys := make([]string, len(f.entries))
	for i, e := range f.entries {
		keys[i] = e.key
	}
	return keys
}

// Line returns the line on which key is given, or 0 when it is not.
func (f *File) Line(key string) int {
	for _, e := range f.entries {
		if e.key == key {
			return e.line
		}
	}
	return 0
}
