package sqlite

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/storetest"
)

// crashDBEnv carries the database path to the writer child process.
const crashDBEnv = "STRAIT_SQLITE_CRASH_DB"

// TestCrashWriter is the child half of TestCrashDurability: it inserts rows
// until it is killed and prints "ack <id>" after each Insert returned.
func TestCrashWriter(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestCrashDurability")
	}
	sc := storetest.NewSchemas()
	s, err := Open(context.Background(), path, sc.Registry)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		id := uuid.NewString()
		obj := entity.Object{"id": id, "name": "row-" + id, "custom_id": nil, "port": i,
			"tags": []any{"crash", fmt.Sprintf("n%d", i%7)}}
		if err := s.Insert(context.Background(), sc.Parents, obj); err != nil {
			fmt.Fprintln(os.Stderr, "insert:", err)
			os.Exit(2)
		}
		fmt.Println("ack", id)
	}
}

// TestCrashDurability kills (SIGKILL) a child process that is writing and
// checks, after reopening the database, that every write the child saw
// succeed is there and fully indexed. It repeats on the same file so that
// recovery after a crash is itself crashed into.
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	var acked []string
	for round, killAfter := range []int{40, 150, 1} {
		acked = append(acked, runAndKillWriter(t, path, killAfter)...)
		verifyAcked(t, path, acked, round)
	}
}

// runAndKillWriter starts the writer child, kills it once it acknowledged
// killAfter rows and returns every id it acknowledged before dying.
func runAndKillWriter(t *testing.T, path string, killAfter int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start writer: %v", err)
	}
	var acked []string
	killed := false
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		id, ok := strings.CutPrefix(lines.Text(), "ack ")
		if !ok {
			continue
		}
		acked = append(acked, id)
		if len(acked) >= killAfter && !killed {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill writer: %v", err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !killed || !errors.As(err, &exit) || exit.ExitCode() != -1 {
		t.Fatalf("writer ended on its own after %d acks (%v): %s", len(acked), err, stderr.String())
	}
	return acked
}

// verifyAcked reopens the database and checks every acknowledged row by
// primary key, by unique name and through the tag index, plus SQLite's own
// integrity check.
func verifyAcked(t *testing.T, path string, acked []string, round int) {
	t.Helper()
	ctx := context.Background()
	sc := storetest.NewSchemas()
	s, err := Open(ctx, path, sc.Registry)
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v", round, err)
	}
	defer s.Close()
	var integrity string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("round %d: integrity check: %q, %v", round, integrity, err)
	}
	for _, id := range acked {
		if _, err := s.Get(ctx, sc.Parents, id); err != nil {
			t.Fatalf("round %d: acknowledged row %s lost: %v", round, id, err)
		}
		if _, err := s.GetBy(ctx, sc.Parents, "name", "row-"+id); err != nil {
			t.Fatalf("round %d: unique key of acknowledged row %s lost: %v", round, id, err)
		}
	}
	all, err := s.All(ctx, sc.Parents)
	if err != nil {
		t.Fatalf("round %d: all: %v", round, err)
	}
	// At most one write per round can commit without being acknowledged.
	if len(all) < len(acked) || len(all) > len(acked)+round+1 {
		t.Fatalf("round %d: %d rows stored, %d acknowledged", round, len(all), len(acked))
	}
	tagged, err := s.List(ctx, sc.Parents, listAllTagged("crash"))
	if err != nil || len(tagged.Data) != len(all) {
		t.Fatalf("round %d: tag index holds %d of %d rows (%v)", round, len(tagged.Data), len(all), err)
	}
}
