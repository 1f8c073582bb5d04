package declarative

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/sqlite"
)

func mustParse(t *testing.T, reg *entity.Registry, text string) *Config {
	t.Helper()
	cfg, err := Parse([]byte(text), reg)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg
}

// find returns the entity of type name whose field equals value.
func find(t *testing.T, cfg map[string][]entity.Object, name, field string, value any) entity.Object {
	t.Helper()
	for _, obj := range cfg[name] {
		if equalValues(obj[field], value) {
			return obj
		}
	}
	t.Fatalf("no %s with %s=%v in %v", name, field, value, cfg[name])
	return nil
}

func openStore(t *testing.T, reg *entity.Registry) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "strait.db"), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// withoutTimestamps drops created_at/updated_at for comparisons.
func withoutTimestamps(in map[string][]entity.Object) map[string][]entity.Object {
	out := map[string][]entity.Object{}
	for name, list := range in {
		for _, obj := range list {
			c := cloneMap(obj)
			delete(c, "created_at")
			delete(c, "updated_at")
			out[name] = append(out[name], c)
		}
	}
	return out
}

// sameEntities compares two entity sets by id, ignoring timestamps.
func sameEntities(t *testing.T, got, want map[string][]entity.Object) {
	t.Helper()
	g, w := withoutTimestamps(got), withoutTimestamps(want)
	for name := range mergeKeys(g, w) {
		gi, wi := indexByID(g[name]), indexByID(w[name])
		if len(gi) != len(wi) {
			t.Errorf("%s: %d entities, want %d", name, len(gi), len(wi))
			continue
		}
		for id, wobj := range wi {
			if !equalValues(gi[id], wobj) {
				t.Errorf("%s %s:\n got  %s\n want %s", name, id, jsonText(gi[id]), jsonText(wobj))
			}
		}
	}
}

func mergeKeys(a, b map[string][]entity.Object) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// testCertificate returns a self-signed ECDSA certificate and key in PEM.
func testCertificate(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "a.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

// indent prefixes every line of s after the first with n spaces.
func indent(s string, n int) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+strings.Repeat(" ", n))
}
