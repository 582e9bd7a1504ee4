package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
)

// cli is the command line: one field per subcommand, each in its own file.
type cli struct {
	Serve     serveCmd     `cmd:"" help:"Run the monitor: HTTP API, /metrics and background jobs."`
	Demo      demoCmd      `cmd:"" help:"Run the monitor with a simulated model service that drifts after a while: the whole story in one command."`
	Detect    detectCmd    `cmd:"" help:"Replay a stream through one of River's drift detectors and print where it flags drift."`
	Estimate  estimateCmd  `cmd:"" help:"Estimate a classifier's performance from its probabilities before labels arrive (NannyML's CBPE)."`
	Drift     driftCmd     `cmd:"" help:"Compare a current dataset with a reference column by column (Evidently's data drift tests); print a table, write JSON or HTML."`
	Reference referenceCmd `cmd:"" help:"Manage reference datasets on a running modelwatch."`
	Archive   archiveCmd   `cmd:"" help:"Archive old predictions to Parquet, list archived days, restore one."`
	Token     tokenCmd     `cmd:"" help:"Create API tokens."`
	Version   versionCmd   `cmd:"" help:"Print build information."`
}

// env is what every subcommand gets from main: where to write, and a context
// that is cancelled on SIGINT or SIGTERM.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "modelwatch:", err)
		var ec exitCoder
		if asExitCoder(err, &ec) {
			os.Exit(ec.ExitCode())
		}
		os.Exit(1)
	}
}

// run parses args and runs the chosen subcommand. It is main without the
// process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c cli
	exit := -1
	parser, err := newParser(ctx, &c, stdout, stderr, &exit)
	if err != nil {
		return err
	}
	kctx, err := parseArgs(parser, args, &exit)
	if exit >= 0 {
		if exit == 0 {
			return nil
		}
		return exitError{code: exit}
	}
	if err != nil {
		return usageError{err}
	}
	return kctx.Run(&env{ctx: ctx, stdout: stdout, stderr: stderr})
}

// newParser returns the parser of the command line into c. Every flag
// takes its value from, highest first: the command line, its environment
// variable MODELWATCH_<FLAG>, the YAML file of the command's --config flag
// (internal/config), its default. Exits set *exit and panic with exitPanic.
func newParser(ctx context.Context, c *cli, stdout, stderr io.Writer, exit *int) (*kong.Kong, error) {
	return kong.New(c,
		kong.Name("modelwatch"),
		kong.Description("modelwatch watches machine-learning models in production: accuracy, latency, data drift and concept drift."),
		kong.UsageOnError(),
		kong.DefaultEnvars("MODELWATCH"),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { *exit = code; panic(exitPanic{}) }),
		kong.BindTo(ctx, (*context.Context)(nil)),
	)
}

type exitPanic struct{}

// parseArgs runs kong's parser, turning its exit (after --help or a usage
// error) into a return value so that tests never exit the process.
func parseArgs(p *kong.Kong, args []string, exit *int) (k *kong.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(exitPanic); !ok {
				panic(r)
			}
			err = nil
		}
	}()
	return p.Parse(args)
}
