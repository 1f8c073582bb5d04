// Command seed writes the configuration of one benchmark case into a
// running Strait node through its Admin API, checks that the proxy routes
// the measured path, and prints that path (with its query, if any) on
// stdout.
//
// Cases:
//
//	one      one service and one route (/bench), no plugins
//	routes   one service and -routes routes of mixed shapes (hosts,
//	         prefixes, regexes, wildcard hosts, headers, methods); the
//	         measured route sits in the middle of the table behind decoys
//	         that share its path, plus -consumers consumers when the build
//	         has the consumers entity
//	plugins  the one-route case with key-auth and rate-limiting (policy
//	         local) on the route, one consumer and its key
//
// Exit status 3 means the case cannot be built on this binary (the reason
// is printed on stderr, starting with "not available in this build").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

// errUnsupported marks a case the binary under test cannot serve.
var errUnsupported = errors.New("not available in this build")

func main() {
	adminURL := flag.String("admin", "http://127.0.0.1:8001", "Admin API base URL")
	proxyURL := flag.String("proxy", "http://127.0.0.1:8000", "proxy base URL (to check the measured route)")
	upstream := flag.String("upstream", "", "URL of the benchmark upstream (the service's url)")
	benchCase := flag.String("case", "one", "one, routes or plugins")
	routes := flag.Int("routes", 10000, "number of routes for the routes case")
	consumers := flag.Int("consumers", 10000, "number of consumers for the routes case (0 for none)")
	workers := flag.Int("workers", 8, "concurrent Admin API requests")
	flag.Parse()
	if *upstream == "" {
		fmt.Fprintln(os.Stderr, "seed: -upstream is required")
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	a := newAdmin(*adminURL, *workers)
	var (
		path string
		err  error
	)
	switch *benchCase {
	case "one":
		path, err = seedOneRoute(ctx, a, *upstream)
	case "routes":
		path, err = seedManyRoutes(ctx, a, *upstream, *routes, *consumers)
	case "plugins":
		path, err = seedPlugins(ctx, a, *upstream)
	default:
		err = fmt.Errorf("unknown case %q", *benchCase)
	}
	if err == nil {
		err = checkProxy(ctx, *proxyURL, path, *benchCase == "plugins")
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "seed %s: %v\n", *benchCase, err)
		if errors.Is(err, errUnsupported) {
			os.Exit(3)
		}
		os.Exit(1)
	}
	fmt.Println(path)
}
