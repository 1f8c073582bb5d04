package admin

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store/sqlite"
)

// newAPIWith serves the Admin API over a fresh store whose registry also
// holds extra (credential) schemas.
func newAPIWith(t *testing.T, extra ...*entity.Schema) *API {
	t.Helper()
	reg := entity.Core()
	reg.Add(testPlugins())
	for _, s := range extra {
		reg.Add(s)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "strait.db"), reg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return New(st, reg, Options{Version: testVersion, Database: "sqlite"})
}

func TestTopLevelKeyWithoutUniqueEndpointKey(t *testing.T) {
	a := newAPIWith(t, entity.ACLs)
	mustCall(t, a, "POST", "/consumers", ctJSON, `{"username":"bob"}`, 201)
	acl := mustCall(t, a, "POST", "/consumers/bob/acls", ctJSON, `{"group":"admins"}`, 201)
	const wantMsg = `invalid primary key: '{id="expected a valid UUID"}'`
	for _, method := range []string{"GET", "PATCH", "PUT", "DELETE"} {
		t.Run(method, func(t *testing.T) {
			body := ""
			if method == "PATCH" || method == "PUT" {
				body = `{"group":"x"}`
			}
			r := call(t, a, method, "/acls/admins", ctJSON, body)
			m := r.json()
			if r.status != 400 || m["name"] != "invalid primary key" || m["message"] != wantMsg || m["code"] != 1.0 {
				t.Errorf("status %d body %s", r.status, r.raw)
			}
		})
	}
	// By id it works, and the parent link rejects a group name too.
	mustCall(t, a, "GET", "/acls/"+str(acl, "id"), "", "", 200)
	if r := call(t, a, "GET", "/acls/admins/consumer", "", ""); r.status != 400 {
		t.Errorf("/acls/admins/consumer: %d %s", r.status, r.raw)
	}
}

func TestACLByGroupName(t *testing.T) {
	a := newAPIWith(t, entity.ACLs)
	mustCall(t, a, "POST", "/consumers", ctJSON, `{"username":"bob"}`, 201)
	mustCall(t, a, "POST", "/consumers", ctJSON, `{"username":"eve"}`, 201)
	mustCall(t, a, "POST", "/consumers/eve/acls", ctJSON, `{"group":"staff"}`, 201)
	created := mustCall(t, a, "PUT", "/consumers/bob/acls/staff", ctJSON, `{}`, 200)
	if created["group"] != "staff" || str(created, "consumer", "id") == "" {
		t.Fatalf("PUT by group created %v", created)
	}
	tests := []struct {
		name, method, path, body string
		want                     int
		wantGroup                string
	}{
		{"get by group", "GET", "/consumers/bob/acls/staff", "", 200, "staff"},
		{"get other consumer's group", "GET", "/consumers/bob/acls/admins", "", 404, ""},
		{"put keeps id", "PUT", "/consumers/bob/acls/staff", `{"tags":["t"]}`, 200, "staff"},
		{"delete by group", "DELETE", "/consumers/bob/acls/staff", "", 204, ""},
		{"gone", "GET", "/consumers/bob/acls/staff", "", 404, ""},
		{"eve's group untouched", "GET", "/consumers/eve/acls/staff", "", 200, "staff"},
	}
	for _, tt := range tests {
		r := call(t, a, tt.method, tt.path, ctJSON, tt.body)
		if r.status != tt.want {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, r.status, tt.want, r.raw)
			continue
		}
		if tt.wantGroup != "" && r.json()["group"] != tt.wantGroup {
			t.Errorf("%s: body %s", tt.name, r.raw)
		}
		if tt.name == "put keeps id" && r.json()["id"] != created["id"] {
			t.Errorf("PUT by group changed the id: %s", r.raw)
		}
	}
}

// testCertificate returns a self-signed ECDSA certificate and key.
func testCertificate(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "example.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

func TestCertificateBySNI(t *testing.T) {
	a := newAPIWith(t)
	cert, key := testCertificate(t)
	pair, _ := json.Marshal(map[string]any{"cert": cert, "key": key})
	withSNIs, _ := json.Marshal(map[string]any{"cert": cert, "key": key, "snis": []string{"a.example.test"}})
	owner := mustCall(t, a, "POST", "/certificates", ctJSON, string(withSNIs), 201)
	other := mustCall(t, a, "POST", "/certificates", ctJSON, string(pair), 201)
	mustCall(t, a, "POST", "/snis", ctJSON, `{"name":"b.example.test","certificate":{"id":"`+str(other, "id")+`"}}`, 201)

	tests := []struct {
		name, method, path, body string
		want                     int
		wantID                   string
	}{
		{"get by listed sni", "GET", "/certificates/a.example.test", "", 200, str(owner, "id")},
		{"get by sni entity", "GET", "/certificates/b.example.test", "", 200, str(other, "id")},
		{"get unknown", "GET", "/certificates/none.example.test", "", 404, ""},
		{"patch by sni", "PATCH", "/certificates/a.example.test", `{"tags":["p"]}`, 200, str(owner, "id")},
		{"patch unknown", "PATCH", "/certificates/none.example.test", `{"tags":["p"]}`, 404, ""},
		{"delete unknown", "DELETE", "/certificates/none.example.test", "", 404, ""},
		{"snis under unknown", "GET", "/certificates/none.example.test/snis", "", 404, ""},
		{"snis under sni", "GET", "/certificates/b.example.test/snis", "", 200, ""},
	}
	for _, tt := range tests {
		r := call(t, a, tt.method, tt.path, ctJSON, tt.body)
		if r.status != tt.want {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, r.status, tt.want, r.raw)
			continue
		}
		if tt.want == 404 && r.raw != `{"message":"SNI not found"}` {
			t.Errorf("%s: body %q", tt.name, r.raw)
		}
		if tt.wantID != "" && r.json()["id"] != tt.wantID {
			t.Errorf("%s: got certificate %v, want %s", tt.name, r.json()["id"], tt.wantID)
		}
	}

	// PUT by an unknown name creates a certificate serving it.
	putBody, _ := json.Marshal(map[string]any{"cert": cert, "key": key, "snis": []string{"c.example.test"}})
	created := mustCall(t, a, "PUT", "/certificates/new.example.test", ctJSON, string(putBody), 200)
	snis, _ := created["snis"].([]any)
	if !entity.IsUUID(str(created, "id")) || len(snis) != 2 || snis[1] != "new.example.test" {
		t.Errorf("PUT created %v", created)
	}
	got := mustCall(t, a, "GET", "/certificates/new.example.test", "", "", 200)
	if got["id"] != created["id"] {
		t.Errorf("GET after PUT: %v", got)
	}
	// DELETE by name removes the owner.
	mustCall(t, a, "DELETE", "/certificates/a.example.test", "", "", 204)
	mustCall(t, a, "GET", "/certificates/"+str(owner, "id"), "", "", 404)
}

func TestCredentialTTLResponses(t *testing.T) {
	a := newAPIWith(t, entity.KeyAuthCredentials)
	mustCall(t, a, "POST", "/consumers", ctJSON, `{"username":"bob"}`, 201)
	near := func(v any, want float64) bool {
		n, ok := v.(float64)
		return ok && n <= want && n >= want-1
	}
	withTTL := mustCall(t, a, "POST", "/consumers/bob/key-auth", ctJSON, `{"key":"k-ttl","ttl":100}`, 201)
	plain := mustCall(t, a, "POST", "/key-auths", ctJSON, `{"key":"k-plain","consumer":{"username":"bob"}}`, 201)
	if !near(withTTL["ttl"], 100) || plain["ttl"] != nil {
		t.Fatalf("created ttl %v / %v", withTTL["ttl"], plain["ttl"])
	}
	id := str(withTTL, "id")
	tests := []struct {
		name, method, path, body string
		want                     float64 // -1: null
	}{
		{"get nested", "GET", "/consumers/bob/key-auth/" + id, "", 100},
		{"get by key", "GET", "/key-auths/k-ttl", "", 100},
		{"patch without ttl keeps it", "PATCH", "/key-auths/" + id, `{"tags":["a"]}`, 100},
		{"patch restarts it", "PATCH", "/consumers/bob/key-auth/" + id, `{"ttl":50}`, 50},
		{"patch clears it", "PATCH", "/key-auths/" + id, `{"ttl":null}`, -1},
		{"form ttl", "PATCH", "/key-auths/" + id, "ttl=30", 30},
	}
	for _, tt := range tests {
		ct := ctJSON
		if tt.body != "" && tt.body[0] != '{' {
			ct = ctForm
		}
		m := mustCall(t, a, tt.method, tt.path, ct, tt.body, 200)
		if tt.want < 0 && m["ttl"] != nil || tt.want >= 0 && !near(m["ttl"], tt.want) {
			t.Errorf("%s: ttl %v, want %v", tt.name, m["ttl"], tt.want)
		}
	}

	// An expired credential is gone from reads and lists.
	short := mustCall(t, a, "POST", "/consumers/bob/key-auth", ctJSON, `{"key":"k-short","ttl":1}`, 201)
	time.Sleep(2100 * time.Millisecond)
	for _, path := range []string{"/key-auths/k-short", "/consumers/bob/key-auth/" + str(short, "id")} {
		if r := call(t, a, "GET", path, "", ""); r.status != 404 {
			t.Errorf("GET %s after expiry: %d %s", path, r.status, r.raw)
		}
	}
	for _, path := range []string{"/key-auths", "/consumers/bob/key-auth"} {
		list := mustCall(t, a, "GET", path, "", "", 200)
		data, _ := list["data"].([]any)
		if len(data) != 2 {
			t.Errorf("%s lists %d credentials, want the 2 live ones: %v", path, len(data), data)
		}
		for _, c := range data {
			if c.(map[string]any)["key"] == "k-short" {
				t.Errorf("%s lists the expired credential", path)
			}
		}
	}
}
