// Command strait is the Strait API gateway: a Kong-compatible proxy and
// Admin API in one static binary with an embedded configuration store.
//
//	strait start [-c strait.conf] [-p prefix]   run the gateway in the foreground
//	strait check [strait.conf]                  validate a configuration file
//	strait version                              print the version
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/straitgw/strait/internal/config"
	"github.com/straitgw/strait/internal/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "start":
		return cmdStart(args[1:], stderr)
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "config":
		return cmdConfig(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "Strait %s (Kong-compatible %s)\n", version.Strait, version.Kong)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "strait: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: strait <command> [options]

Commands:
  start    Start the gateway in the foreground (SIGINT/SIGTERM drain and stop it)
  check    Validate a configuration file
  config   Work with declarative configuration files (init, validate, dump, diff, sync)
  version  Print the version

Run 'strait <command> -h' for the options of a command.
`)
}

// confFlags are the options shared by start and check.
type confFlags struct {
	conf   string
	prefix string
}

func (c *confFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.conf, "c", "", "configuration file (kong.conf format)")
	fs.StringVar(&c.conf, "conf", "", "configuration file (same as -c)")
	fs.StringVar(&c.prefix, "p", "", "prefix directory (overrides the prefix property)")
	fs.StringVar(&c.prefix, "prefix", "", "prefix directory (same as -p)")
}

func (c *confFlags) load() (*config.Config, error) {
	env := os.Environ()
	if c.prefix != "" {
		env = append(env, "STRAIT_PREFIX="+c.prefix)
	}
	return config.Load(c.conf, env)
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf confFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		cf.conf = fs.Arg(0)
	}
	if cf.conf == "" {
		fmt.Fprintln(stderr, "strait check: a configuration file is required")
		return 2
	}
	if _, err := cf.load(); err != nil {
		fmt.Fprintf(stderr, "configuration at %s is invalid:\n", cf.conf)
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			for _, e := range joined.Unwrap() {
				fmt.Fprintf(stderr, "  %v\n", e)
			}
		} else {
			fmt.Fprintf(stderr, "  %v\n", err)
		}
		return 1
	}
	fmt.Fprintf(stdout, "configuration at %s is valid\n", cf.conf)
	return 0
}
