package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/alecthomas/kong"
	"go.yaml.in/yaml/v3"
)

// Flag is the type of a command's --config flag: the path of a YAML file
// whose keys set the command's other flags. An empty path is no file.
type Flag string

// BeforeResolve loads the file when kong parses a command line that selects
// the command with this flag, given on the command line or in its
// environment variable, and adds the file's values as a resolver. kong calls
// it between applying environment variables and defaults and resolving.
func (Flag) BeforeResolve(ctx *kong.Context, trace *kong.Path) error {
	flags := ctx.Flags()
	// kong calls the hook of every flag set by its environment variable,
	// also of commands that were not selected.
	if !slices.Contains(flags, trace.Flag) {
		return nil
	}
	path, _ := ctx.FlagValue(trace.Flag).(Flag)
	if path == "" {
		return nil
	}
	f, err := Load(string(path))
	if err != nil {
		return err
	}
	command := strings.TrimSpace(ctx.Model.Name + " " + ctx.Command())
	r, err := f.Resolver(flags, command)
	if err != nil {
		return err
	}
	ctx.AddResolver(r)
	return nil
}

// Resolver checks the file against flags, the flags of the command it was
// given to (command names it in messages), and returns a kong resolver that
// gives each flag the file's value unless the flag's environment variable is
// set. kong itself only asks the resolver for flags that are not on the
// command line.
//
// Every key must be the name of one of flags, other than help and flags of
// type Flag, and its value must be one the flag accepts; the error names the
// file, the line and the key.
func (f *File) Resolver(flags []*kong.Flag, command string) (kong.Resolver, error) {
	byName := map[string]*kong.Flag{}
	for _, fl := range flags {
		if fl.Name == "help" || fl.Target.Type() == reflect.TypeFor[Flag]() {
			continue
		}
		byName[fl.Name] = fl
	}
	r := resolver{}
	for _, e := range f.entries {
		fl, ok := byName[e.key]
		if !ok {
			return nil, fmt.Errorf("%s:%d: unknown key %q: %s", f.Name, e.line, e.key, unknownHint(e.key, command, byName))
		}
		v, err := value(fl, e.value)
		if err == nil {
			err = check(fl, v)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", f.Name, e.line, e.key, err)
		}
		r[fl.Name] = v
	}
	return r, nil
}

// unknownHint says why key is not a flag.
func unknownHint(key, command string, flags map[string]*kong.Flag) string {
	if key == "config" {
		return "a config file cannot name another"
	}
	if kebab := strings.ReplaceAll(strings.ToLower(key), "_", "-"); flags[kebab] != nil {
		return fmt.Sprintf("keys are named like the flags: %s", kebab)
	}
	return fmt.Sprintf("%s has no flag --%s", command, key)
}

// value turns a YAML value into what kong's mapper for fl takes: the text of
// a scalar, as if given on the command line (so that a duration needs its
// unit and 1.5 is not an int), a bool for a bool flag, and for a list flag
// the list's items joined by the flag's separator.
func value(fl *kong.Flag, n *yaml.Node) (any, error) {
	n = unalias(n)
	if fl.IsBool() {
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			return nil, fmt.Errorf("want true or false, got %s", describe(n))
		}
		return b, nil
	}
	if fl.IsSlice() && n.Kind == yaml.SequenceNode {
		items := make([]string, len(n.Content))
		for i, item := range n.Content {
			s, err := scalar(unalias(item))
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i+1, err)
			}
			items[i] = s
		}
		switch {
		case fl.Tag.Sep != -1:
			return kong.JoinEscaped(items, fl.Tag.Sep), nil
		case len(items) == 1:
			return items[0], nil
		default:
			list := make([]any, len(items))
			for i, s := range items {
				list[i] = s
			}
			return list, nil
		}
	}
	return scalar(n)
}

// scalar returns the text of a scalar that is not null.
func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("want a single value, got %s", describe(n))
	}
	if n.ShortTag() == "!!null" {
		return "", errors.New("no value (leave the key out to keep the default)")
	}
	return n.Value, nil
}

func unalias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// describe names the kind of a YAML value in messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	if n.ShortTag() == "!!null" {
		return "no value"
	}
	return fmt.Sprintf("%q", n.Value)
}

// check decodes v with fl's own mapper into a scratch value, so that a type
// error names the key before kong applies anything, and checks enums.
func check(fl *kong.Flag, v any) error {
	target := reflect.New(fl.Target.Type()).Elem()
	if target.Kind() == reflect.Pointer {
		target.Set(reflect.New(target.Type().Elem()))
	}
	scan := kong.Scan().PushTyped(v, kong.FlagValueToken)
	if err := fl.Mapper.Decode(&kong.DecodeContext{Value: fl.Value, Scan: scan}, target); err != nil {
		return err
	}
	if fl.Enum == "" {
		return nil
	}
	values := []reflect.Value{target}
	if target.Kind() == reflect.Slice {
		values = values[:0]
		for i := range target.Len() {
			values = append(values, target.Index(i))
		}
	}
	for _, v := range values {
		if v.Kind() == reflect.String && !fl.EnumMap()[v.String()] {
			return fmt.Errorf("must be one of %s but got %q", strings.Join(fl.EnumSlice(), ", "), v.String())
		}
	}
	return nil
}

// resolver gives flags the values of a checked file, by flag name.
type resolver map[string]any

// Validate implements kong.Resolver: the file was checked when it was loaded.
func (resolver) Validate(*kong.Application) error { return nil }

// Resolve implements kong.Resolver. An environment variable of the flag,
// even an empty one, beats the file: kong has already applied it.
func (r resolver) Resolve(_ *kong.Context, _ *kong.Path, fl *kong.Flag) (any, error) {
	v, ok := r[fl.Name]
	if !ok {
		return nil, nil
	}
	for _, name := range fl.Envs {
		if _, set := os.LookupEnv(name); set {
			return nil, nil
		}
	}
	return v, nil
}
