package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/straitgw/strait/internal/declarative"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/sqlite"
)

// defaultAdminURL is the Admin API the config commands talk to by default.
const defaultAdminURL = "http://127.0.0.1:8001"

// Exit codes of `strait config`.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitDrift is what `config diff` returns when the target differs
	// from the file.
	exitDrift = 2
)

func configUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: strait config <command> [options]

Commands:
  init [FILE]                 write a commented starter kong.yml (default ./kong.yml)
  validate FILE               check a declarative file without touching any node
  dump [-o FILE]              write the current configuration as a declarative file
  diff FILE                   show what sync would change (exit 0: none, 2: drift, 1: error)
  sync FILE [--dry-run]       make the configuration match the file

Target options (dump, diff, sync):
  --admin-url URL             Admin API of a running node (default `+defaultAdminURL+`)
  --local                     use the store of the local prefix instead (-c FILE, -p DIR)
  --select-tag TAG            manage only entities carrying TAG (repeatable); the file's
                              entities get the tag added
`)
}

func cmdConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		configUsage(stderr)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// The config commands know the entity types a node serves.
	reg, _, err := registries()
	if err != nil {
		fmt.Fprintf(stderr, "strait config: %v\n", err)
		return exitError
	}
	switch args[0] {
	case "init":
		return configInit(args[1:], stdout, stderr)
	case "validate":
		return configValidate(reg, args[1:], stdout, stderr)
	case "dump":
		return configDump(ctx, reg, args[1:], stdout, stderr)
	case "diff":
		return configDiff(ctx, reg, args[1:], stdout, stderr)
	case "sync":
		return configSync(ctx, reg, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		configUsage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "strait config: unknown command %q\n\n", args[0])
	configUsage(stderr)
	return exitUsage
}

// parseInterspersed parses flags placed before, between or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// targetFlags select the node a command reads and writes.
type targetFlags struct {
	adminURL   string
	local      bool
	conf       confFlags
	selectTags stringList
}

func (t *targetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.adminURL, "admin-url", defaultAdminURL, "Admin API URL of a running node")
	fs.BoolVar(&t.local, "local", false, "use the local store (see -c and -p) instead of the Admin API")
	t.conf.register(fs)
	fs.Var(&t.selectTags, "select-tag", "manage only entities carrying this tag (repeatable)")
}

// backend reads and writes the configuration of a node.
type backend struct {
	read  func(context.Context) (map[string][]entity.Object, error)
	apply func(context.Context, []declarative.Change) error
	close func()
	where string
}

// open connects to the Admin API, or opens the local store.
func (t *targetFlags) open(ctx context.Context, reg *entity.Registry) (*backend, error) {
	if !t.local {
		client := declarative.NewAdminClient(t.adminURL, reg)
		return &backend{
			read: client.ReadAll,
			apply: func(ctx context.Context, changes []declarative.Change) error {
				return declarative.Apply(ctx, changes, client)
			},
			close: func() {},
			where: t.adminURL,
		}, nil
	}
	cfg, err := t.conf.load()
	if err != nil {
		return nil, fmt.Errorf("invalid configuration: %w", err)
	}
	st, err := sqlite.Open(ctx, cfg.SQLitePath, reg)
	if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	}
	return &backend{
		read: func(ctx context.Context) (map[string][]entity.Object, error) {
			return declarative.ReadStore(ctx, st, reg)
		},
		apply: func(ctx context.Context, changes []declarative.Change) error {
			return declarative.ApplyToStore(ctx, st, changes)
		},
		close: func() { st.Close() },
		where: cfg.SQLitePath,
	}, nil
}

func configInit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "overwrite an existing file")
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) > 1 {
		return exitUsage
	}
	path := "kong.yml"
	if len(pos) == 1 {
		path = pos[0]
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		fmt.Fprintf(stderr, "strait config init: %v\n", err)
		return exitError
	}
	if _, err := io.WriteString(f, starterConfig); err != nil {
		f.Close()
		fmt.Fprintf(stderr, "strait config init: writing %s: %v\n", path, err)
		return exitError
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(stderr, "strait config init: writing %s: %v\n", path, err)
		return exitError
	}
	fmt.Fprintf(stdout, "wrote a starter declarative configuration to %s\n", path)
	return exitOK
}

// readConfigFile parses and validates a declarative file.
func readConfigFile(path string, reg *entity.Registry, opts declarative.ParseOptions) (*declarative.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := declarative.ParseWithOptions(data, reg, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

func configValidate(reg *entity.Registry, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "strait config validate: exactly one FILE is required")
		return exitUsage
	}
	cfg, err := readConfigFile(pos[0], reg, declarative.ParseOptions{})
	if err != nil {
		fmt.Fprintf(stderr, "strait config validate: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "configuration file %s is valid (%d entities)\n", pos[0], cfg.Count())
	return exitOK
}

func configDump(ctx context.Context, reg *entity.Registry, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf targetFlags
	tf.register(fs)
	output := fs.String("o", "", "write to FILE instead of standard output")
	omitIDs := fs.Bool("omit-ids", false, "leave out ids and timestamps")
	pos, err := parseInterspersed(fs, args)
	if err != nil || len(pos) > 0 {
		return exitUsage
	}
	be, err := tf.open(ctx, reg)
	if err != nil {
		fmt.Fprintf(stderr, "strait config dump: %v\n", err)
		return exitError
	}
	defer be.close()
	current, err := be.read(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "strait config dump: reading %s: %v\n", be.where, err)
		return exitError
	}
	out, err := declarative.Dump(reg, declarative.FilterTags(current, tf.selectTags),
		declarative.DumpOptions{OmitIDs: *omitIDs, OmitTimestamps: *omitIDs, SelectTags: tf.selectTags})
	if err != nil {
		fmt.Fprintf(stderr, "strait config dump: %v\n", err)
		return exitError
	}
	if *output == "" {
		stdout.Write(out)
		return exitOK
	}
	if err := os.WriteFile(*output, out, 0o644); err != nil {
		fmt.Fprintf(stderr, "strait config dump: %v\n", err)
		return exitError
	}
	return exitOK
}

// plan reads the target and the file and computes the changes.
func plan(ctx context.Context, be *backend, reg *entity.Registry, path string, tags []string) ([]declarative.Change, error) {
	current, err := be.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", be.where, err)
	}
	cfg, err := readConfigFile(path, reg, declarative.ParseOptions{SelectTags: tags, Existing: current})
	if err != nil {
		return nil, err
	}
	return declarative.Diff(reg, current, cfg.Entities, declarative.DiffOptions{SelectTags: tags, Inputs: cfg.Inputs}), nil
}

// printChanges lists the changes, with the changed fields of updates,
// and returns the counts by kind.
func printChanges(w io.Writer, changes []declarative.Change) map[declarative.Op]int {
	counts := map[declarative.Op]int{}
	for _, c := range changes {
		counts[c.Op]++
		fmt.Fprintln(w, c.String())
		for _, fc := range c.FieldChanges() {
			fmt.Fprintf(w, "    %s\n", fc)
		}
	}
	return counts
}

// targetCommand parses the options shared by diff and sync and opens the
// target.
func targetCommand(ctx context.Context, reg *entity.Registry, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*backend, *targetFlags, string, int) {
	fs := flag.NewFlagSet("config "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	tf := &targetFlags{}
	tf.register(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, nil, "", exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "strait config %s: exactly one FILE is required\n", name)
		return nil, nil, "", exitUsage
	}
	be, err := tf.open(ctx, reg)
	if err != nil {
		fmt.Fprintf(stderr, "strait config %s: %v\n", name, err)
		return nil, nil, "", exitError
	}
	return be, tf, pos[0], exitOK
}

func configDiff(ctx context.Context, reg *entity.Registry, args []string, stdout, stderr io.Writer) int {
	be, tf, path, code := targetCommand(ctx, reg, "diff", args, stderr, nil)
	if be == nil {
		return code
	}
	defer be.close()
	changes, err := plan(ctx, be, reg, path, tf.selectTags)
	if err != nil {
		fmt.Fprintf(stderr, "strait config diff: %v\n", err)
		return exitError
	}
	counts := printChanges(stdout, changes)
	fmt.Fprintf(stdout, "Summary: %d to create, %d to update, %d to delete\n",
		counts[declarative.OpCreate], counts[declarative.OpUpdate], counts[declarative.OpDelete])
	if len(changes) > 0 {
		return exitDrift
	}
	return exitOK
}

func configSync(ctx context.Context, reg *entity.Registry, args []string, stdout, stderr io.Writer) int {
	var dryRun bool
	be, tf, path, code := targetCommand(ctx, reg, "sync", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "show the changes without making them")
	})
	if be == nil {
		return code
	}
	defer be.close()
	changes, err := plan(ctx, be, reg, path, tf.selectTags)
	if err != nil {
		fmt.Fprintf(stderr, "strait config sync: %v\n", err)
		return exitError
	}
	counts := printChanges(stdout, changes)
	if dryRun {
		fmt.Fprintf(stdout, "Summary (dry run): %d to create, %d to update, %d to delete\n",
			counts[declarative.OpCreate], counts[declarative.OpUpdate], counts[declarative.OpDelete])
		return exitOK
	}
	if err := be.apply(ctx, changes); err != nil {
		var aerr *declarative.AdminError
		if errors.As(err, &aerr) {
			fmt.Fprintf(stderr, "strait config sync: the node refused a change: %v\n", err)
		} else {
			fmt.Fprintf(stderr, "strait config sync: %v\n", err)
		}
		return exitError
	}
	fmt.Fprintf(stdout, "Summary: created %d, updated %d, deleted %d\n",
		counts[declarative.OpCreate], counts[declarative.OpUpdate], counts[declarative.OpDelete])
	return exitOK
}
