package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blang/semver/v4"
	"github.com/kong/go-database-reconciler/pkg/diff"
	"github.com/kong/go-database-reconciler/pkg/dump"
	"github.com/kong/go-database-reconciler/pkg/file"
	"github.com/kong/go-database-reconciler/pkg/state"
	"github.com/kong/go-kong/kong"
)

// deckRun is the outcome of one decK-style reconciliation.
type deckRun struct {
	creates, updates, deletes int32
	changes                   diff.EntityChanges
}

func (r deckRun) total() int32 { return r.creates + r.updates + r.deletes }

// deckSync does what `deck gateway sync` (dry false) or `deck gateway
// diff` (dry true) does with the reconciler: read the state file, fetch
// the gateway's state (limited to the file's select tags), render the
// target state against it, and solve the difference through go-kong.
func deckSync(ctx context.Context, t *testing.T, client *kong.Client, filename string, dry bool) deckRun {
	t.Helper()
	content, err := file.GetContentFromFilesWithEnvVars([]string{filename}, file.EnvVarsExpand)
	if err != nil {
		t.Fatalf("reading %s: %v", filename, err)
	}
	var dumpConfig dump.Config
	if content.Info != nil {
		dumpConfig.SelectorTags = content.Info.SelectorTags
	}
	current := deckCurrentState(ctx, t, client, dumpConfig)
	raw, err := file.Get(ctx, content, file.RenderConfig{CurrentState: current, KongVersion: deckKongVersion(ctx, t, client)},
		dumpConfig, client)
	if err != nil {
		t.Fatalf("rendering %s: %v", filename, err)
	}
	target, err := state.Get(raw)
	if err != nil {
		t.Fatalf("target state: %v", err)
	}
	logChange := func(a ...any) { t.Log(a...) }
	syncer, err := diff.NewSyncer(diff.SyncerOpts{CurrentState: current, TargetState: target, KongClient: client,
		SilenceWarnings: true, CreatePrintln: logChange, UpdatePrintln: logChange, DeletePrintln: logChange})
	if err != nil {
		t.Fatalf("syncer: %v", err)
	}
	stats, errs, changes := syncer.Solve(ctx, 5, dry, dry)
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		t.Fatalf("decK sync of %s failed:\n%s", filename, strings.Join(msgs, "\n"))
	}
	return deckRun{creates: stats.CreateOps.Count(), updates: stats.UpdateOps.Count(),
		deletes: stats.DeleteOps.Count(), changes: changes}
}

// deckCurrentState fetches the gateway's state as `deck gateway dump` does.
func deckCurrentState(ctx context.Context, t *testing.T, client *kong.Client, cfg dump.Config) *state.KongState {
	t.Helper()
	raw, err := dump.Get(ctx, client, cfg)
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	st, err := state.Get(raw)
	if err != nil {
		t.Fatalf("current state: %v", err)
	}
	return st
}

func deckKongVersion(ctx context.Context, t *testing.T, client *kong.Client) semver.Version {
	t.Helper()
	root, err := client.Root(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := kong.ParseSemanticVersion(kong.VersionFromInfo(root))
	if err != nil {
		t.Fatal(err)
	}
	return semver.Version{Major: v.Major(), Minor: v.Minor(), Patch: v.Patch()}
}

// assertNoDrift diffs the file against the gateway and fails on any change.
func assertNoDrift(ctx context.Context, t *testing.T, client *kong.Client, filename, when string) {
	t.Helper()
	run := deckSync(ctx, t, client, filename, true)
	if run.total() != 0 {
		var lines []string
		for _, c := range run.changes.Creating {
			lines = append(lines, "create "+c.Kind+" "+c.Name)
		}
		for _, c := range run.changes.Updating {
			lines = append(lines, fmt.Sprintf("update %s %s: %v", c.Kind, c.Name, c.Body))
		}
		for _, c := range run.changes.Deleting {
			lines = append(lines, "delete "+c.Kind+" "+c.Name)
		}
		t.Fatalf("%s: diff reports %d changes:\n%s", when, run.total(), strings.Join(lines, "\n"))
	}
}

// selfSigned returns a PEM certificate and key for host (a CA when ca).
func selfSigned(t *testing.T, host string, ca bool) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	keyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	return certPEM, keyPEM
}

// indent prefixes every line of text with n spaces (for YAML block scalars).
func indent(text string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n"+pad)
}

// deckStateFile is a decK state file using every entity type: services
// with routes, key-auth and basic-auth plugins, consumers with both kinds
// of credentials, an upstream with targets, a certificate with SNIs and a
// CA certificate.
func deckStateFile(t *testing.T, upstream string, port, weight int) string {
	cert, key := selfSigned(t, "deck.test", false)
	caCert, _ := selfSigned(t, "Deck Test CA", true)
	return fmt.Sprintf(`_format_version: "3.0"
services:
- name: orders
  url: %[1]s
  tags: [deck]
  routes:
  - name: orders-route
    paths: [/orders]
    tags: [deck]
  plugins:
  - name: key-auth
    config:
      key_names: [apikey]
- name: billing
  host: billing.test
  port: %[2]d
  routes:
  - name: billing-route
    paths: [/billing]
    methods: [GET, POST]
    plugins:
    - name: basic-auth
      config:
        hide_credentials: true
  - name: billing-admin
    paths: [/billing/admin]
consumers:
- username: alice
  custom_id: alice-1
  keyauth_credentials:
  - key: alice-key
  basicauth_credentials:
  - username: alice
    password: alice-password
- username: bob
  keyauth_credentials:
  - key: bob-key
upstreams:
- name: pool
  targets:
  - target: 10.0.0.1:80
    weight: %[3]d
  - target: 10.0.0.2:80
certificates:
- id: 7a1f7c52-4b2e-4d8e-9a61-3f0c2d9e8b11
  cert: |
%[4]s
  key: |
%[5]s
  snis:
  - name: deck.test
  - name: www.deck.test
ca_certificates:
- id: 0d6a8e4c-2f3b-4c71-8e5a-9b7c1d2e3f40
  cert: |
%[6]s
`, upstream, port, weight, indent(cert, 4), indent(key, 4), indent(caCert, 4))
}

// TestDeckReconcilerRoundTrip drives Strait with go-database-reconciler,
// the engine of decK, exactly as `deck gateway sync/diff/dump` do.
func TestDeckReconcilerRoundTrip(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	client := kongClient(t, n)
	ctx := ctx(t)
	dir := t.TempDir()

	stateFile := writeFile(t, dir, "kong.yaml", deckStateFile(t, up.URL, 8080, 50))
	first := deckSync(ctx, t, client, stateFile, false)
	// 2 services, 3 routes, 2 plugins, 2 consumers, 3 credentials,
	// 1 upstream, 2 targets, 1 certificate, 2 SNIs, 1 CA certificate.
	if first.creates != 19 || first.updates != 0 || first.deletes != 0 {
		t.Fatalf("first sync: %d creates, %d updates, %d deletes; want 19, 0, 0", first.creates, first.updates, first.deletes)
	}
	assertNoDrift(ctx, t, client, stateFile, "after the first sync")

	// What was synced serves traffic.
	n.waitStatus(401, "/orders")
	n.waitStatus(200, "/orders", "apikey", "alice-key")

	// A dump round-trips: the file written from the gateway's state has
	// no difference with the gateway.
	current := deckCurrentState(ctx, t, client, dump.Config{})
	content, err := file.KongStateToContent(current, file.WriteConfig{FileFormat: file.YAML, WithID: true,
		KongVersion: "3.9.1"})
	if err != nil {
		t.Fatalf("dump to content: %v", err)
	}
	dumped := filepath.Join(dir, "dump.yaml")
	if err := file.WriteContentToFile(content, dumped, file.YAML); err != nil {
		t.Fatal(err)
	}
	if len(content.Services) != 2 || len(content.Consumers) != 2 || len(content.Upstreams) != 1 ||
		len(content.Certificates) != 1 || len(content.CACertificates) != 1 {
		t.Fatalf("dump: %d services, %d consumers, %d upstreams, %d certificates, %d CA certificates",
			len(content.Services), len(content.Consumers), len(content.Upstreams), len(content.Certificates),
			len(content.CACertificates))
	}
	assertNoDrift(ctx, t, client, dumped, "dump of the synced state")

	// Changes: a service port, a target weight, a route removed.
	changed := strings.Replace(deckStateFile(t, up.URL, 9090, 70), "  - name: billing-admin\n    paths: [/billing/admin]\n", "", 1)
	// The certificate PEMs are generated anew; keep the synced ones.
	changed = replaceBetween(changed, "certificates:\n", readBetween(t, stateFile, "certificates:\n"))
	changedFile := writeFile(t, dir, "changed.yaml", changed)
	second := deckSync(ctx, t, client, changedFile, false)
	if second.creates != 0 || second.updates != 2 || second.deletes != 1 {
		t.Fatalf("second sync: %d creates, %d updates, %d deletes; want 0, 2, 1", second.creates, second.updates, second.deletes)
	}
	assertNoDrift(ctx, t, client, changedFile, "after the second sync")
	svc, err := client.Services.Get(ctx, kong.String("billing"))
	if err != nil || *svc.Port != 9090 {
		t.Fatalf("billing after sync: %+v %v", svc, err)
	}

	// Select tags: a file managing only "team-b" entities leaves every
	// untagged entity alone, on create and on delete.
	teamB := writeFile(t, dir, "team-b.yaml", `_format_version: "3.0"
_info:
  select_tags: [team-b]
services:
- name: team-b-service
  host: team-b.test
  routes:
  - name: team-b-route
    paths: [/team-b]
consumers:
- username: carol
`)
	third := deckSync(ctx, t, client, teamB, false)
	if third.creates != 3 || third.updates != 0 || third.deletes != 0 {
		t.Fatalf("tagged sync: %d creates, %d updates, %d deletes; want 3, 0, 0", third.creates, third.updates, third.deletes)
	}
	assertNoDrift(ctx, t, client, teamB, "after the tagged sync")
	tagged, err := client.Services.Get(ctx, kong.String("team-b-service"))
	if err != nil || len(tagged.Tags) != 1 || *tagged.Tags[0] != "team-b" {
		t.Fatalf("tagged service: %+v %v", tagged, err)
	}
	emptyTeamB := writeFile(t, dir, "team-b-empty.yaml", "_format_version: \"3.0\"\n_info:\n  select_tags: [team-b]\n")
	fourth := deckSync(ctx, t, client, emptyTeamB, false)
	if fourth.creates != 0 || fourth.updates != 0 || fourth.deletes != 3 {
		t.Fatalf("emptying team-b: %d creates, %d updates, %d deletes; want 0, 0, 3", fourth.creates, fourth.updates, fourth.deletes)
	}
	assertNoDrift(ctx, t, client, changedFile, "untagged entities after the tagged syncs")

	// An empty file removes everything.
	emptyFile := writeFile(t, dir, "empty.yaml", "_format_version: \"3.0\"\n")
	last := deckSync(ctx, t, client, emptyFile, false)
	if last.creates != 0 || last.deletes != 18 {
		t.Fatalf("reset: %d creates, %d deletes; want 0, 18", last.creates, last.deletes)
	}
	assertNoDrift(ctx, t, client, emptyFile, "after the reset")
}

// readBetween returns the part of a file from marker to the end.
func readBetween(t *testing.T, path, marker string) string {
	t.Helper()
	data := mustRead(t, path)
	i := strings.Index(data, marker)
	if i < 0 {
		t.Fatalf("%s lacks %q", path, marker)
	}
	return data[i:]
}

// replaceBetween replaces text from marker to the end with tail.
func replaceBetween(text, marker, tail string) string {
	i := strings.Index(text, marker)
	if i < 0 {
		return text
	}
	return text[:i] + tail
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
