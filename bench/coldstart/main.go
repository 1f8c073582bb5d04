// Command coldstart measures how long a Strait binary takes from exec to
// serving, with an existing prefix (embedded store). Each run starts
// "strait start -p PREFIX", polls the proxy every millisecond, and records
// the time to the first HTTP answer of any status and the time to the first
// 200 on the measured path (proxied to a small upstream this command runs
// on the service's address), then the process's resident memory, and stops
// it with SIGTERM. It prints the medians as key=value pairs on one line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "./strait", "strait binary")
	prefix := flag.String("prefix", "", "seeded prefix")
	proxyAddr := flag.String("proxy", "127.0.0.1:61800", "proxy listen address")
	adminAddr := flag.String("admin", "127.0.0.1:61801", "Admin API listen address")
	upstreamAddr := flag.String("upstream", "", "address the seeded service points to; served here")
	path := flag.String("path", "/", "measured path (with query); \"/\" is appended as the benchmark driver does")
	runs := flag.Int("runs", 5, "number of starts")
	cpu := flag.String("cpu", "", "CPU list to pin the binary to (taskset), empty for none")
	flag.Parse()
	if *prefix == "" || *upstreamAddr == "" {
		fmt.Fprintln(os.Stderr, "coldstart: -prefix and -upstream are required")
		os.Exit(2)
	}
	stop, err := serveUpstream(*upstreamAddr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "coldstart: %v\n", err)
		os.Exit(1)
	}
	defer stop()

	var first, served, rss []float64
	for i := range *runs {
		r, err := startOnce(*bin, *prefix, *proxyAddr, *adminAddr, *cpu, "http://"+*proxyAddr+*path+"/")
		if err != nil {
			fmt.Fprintf(os.Stderr, "coldstart: run %d: %v\n", i+1, err)
			os.Exit(1)
		}
		first = append(first, r.firstAnswer.Seconds()*1000)
		served = append(served, r.firstOK.Seconds()*1000)
		rss = append(rss, float64(r.rssKiB)/1024)
	}
	fmt.Printf("runs=%d first_answer_ms=%.1f first_200_ms=%.1f first_200_min_ms=%.1f first_200_max_ms=%.1f rss_mib=%.1f\n",
		*runs, median(first), median(served), slices.Min(served), slices.Max(served), median(rss))
}

// result is what one start measured.
type result struct {
	firstAnswer, firstOK time.Duration
	rssKiB               int
}

// startOnce starts the binary, waits for it to serve url with 200, reads
// its RSS and stops it.
func startOnce(bin, prefix, proxyAddr, adminAddr, cpu, url string) (result, error) {
	var res result
	name, args := bin, []string{"start", "-p", prefix}
	if cpu != "" {
		name, args = "taskset", append([]string{"-c", cpu, bin}, args...)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(),
		"GOMAXPROCS=1",
		"STRAIT_PROXY_LISTEN="+proxyAddr,
		"STRAIT_ADMIN_LISTEN="+adminAddr,
		"STRAIT_PROXY_ACCESS_LOG=off",
		"STRAIT_LOG_LEVEL=error",
	)
	cmd.Stderr = os.Stderr
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer stopProcess(cmd, exited)

	deadline := start.Add(60 * time.Second)
	for res.firstOK == 0 {
		select {
		case <-exited:
			return res, fmt.Errorf("%s exited before serving: %v", bin, waitErr)
		default:
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("no 200 from %s within 60 s", url)
		}
		resp, err := client.Get(url)
		if err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		resp.Body.Close()
		elapsed := time.Since(start)
		if res.firstAnswer == 0 {
			res.firstAnswer = elapsed
		}
		if resp.StatusCode == http.StatusOK {
			res.firstOK = elapsed
		} else {
			time.Sleep(time.Millisecond)
		}
	}
	kib, err := rssKiB(cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	res.rssKiB = kib
	return res, nil
}

// stopProcess sends SIGTERM unless the process has exited (exited is
// closed once it has been waited for) and waits up to 15 s before killing.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}) {
	select {
	case <-exited:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// rssKiB reads VmRSS of pid.
func rssKiB(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading RSS: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, errors.New("reading RSS: no VmRSS line")
}

// serveUpstream answers 200 to everything on addr until stop is called.
func serveUpstream(addr string) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("upstream: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})}
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Shutdown(context.Background()) }, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
