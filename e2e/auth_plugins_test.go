package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"
	"github.com/kong/go-kong/kong"
)

// exitMessage decodes a {"message":...} body that carries no request_id
// (the bodies plugins send with kong.response.exit).
func exitMessage(t *testing.T, body []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("body is not JSON: %q", body)
	}
	if _, has := m["request_id"]; has {
		t.Errorf("exit body carries a request_id: %q", body)
	}
	s, _ := m["message"].(string)
	return s
}

// TestPluginPrecedenceLevels walks Kong's eight precedence levels with
// request-termination instances answering "L1" (route+service+consumer)
// to "L8" (global), disabling the winner at each step: a disabled
// instance never hides an enabled broader one, and consumer-scoped
// instances apply to their consumer only.
func TestPluginPrecedenceLevels(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	svc := n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	rt := n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/p"}})
	alice := n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "alice"})
	n.mustAdmin(201, "POST", "/consumers", map[string]any{"username": "bob"})
	n.mustAdmin(201, "POST", "/consumers/alice/key-auth", map[string]any{"key": "alice-key"})
	n.mustAdmin(201, "POST", "/consumers/bob/key-auth", map[string]any{"key": "bob-key"})
	n.mustAdmin(201, "POST", "/plugins", map[string]any{"name": "key-auth"})

	route := map[string]any{"id": rt["id"]}
	service := map[string]any{"id": svc["id"]}
	consumer := map[string]any{"id": alice["id"]}
	levels := []struct {
		name  string
		scope map[string]any
		// consumerScoped instances apply to alice only.
		consumerScoped bool
	}{
		{"route+service+consumer", map[string]any{"route": route, "service": service, "consumer": consumer}, true},
		{"route+consumer", map[string]any{"route": route, "consumer": consumer}, true},
		{"service+consumer", map[string]any{"service": service, "consumer": consumer}, true},
		{"route+service", map[string]any{"route": route, "service": service}, false},
		{"consumer", map[string]any{"consumer": consumer}, true},
		{"route", map[string]any{"route": route}, false},
		{"service", map[string]any{"service": service}, false},
		{"global", map[string]any{}, false},
	}
	ids := make([]string, len(levels))
	for i, l := range levels {
		body := map[string]any{"name": "request-termination",
			"config": map[string]any{"status_code": 403, "message": "L" + string(rune('1'+i))}}
		for k, v := range l.scope {
			body[k] = v
		}
		ids[i] = n.mustAdmin(201, "POST", "/plugins", body)["id"].(string)
	}
	// expected returns the message the first enabled level from i on
	// answers, for alice (all levels) or bob (no consumer levels).
	expected := func(from int, forAlice bool) string {
		for j := from; j < len(levels); j++ {
			if levels[j].consumerScoped && !forAlice {
				continue
			}
			return "L" + string(rune('1'+j))
		}
		return ""
	}
	answer := func(key string) (int, string) {
		status, body, _ := n.proxyStatus("/p", "apikey", key)
		if status != 403 {
			return status, string(body)
		}
		return status, exitMessage(t, body)
	}
	for i, l := range levels {
		t.Run(l.name, func(t *testing.T) {
			want := expected(i, true)
			waitFor(t, 3*time.Second, "alice answered "+want, func() bool {
				_, msg := answer("alice-key")
				return msg == want
			})
			if status, msg := answer("bob-key"); status != 403 || msg != expected(i, false) {
				t.Errorf("bob: %d %q, want %q", status, msg, expected(i, false))
			}
			if status, _, _ := n.proxyStatus("/p"); status != 401 {
				t.Errorf("no key: %d, key-auth must run before request-termination", status)
			}
		})
		n.mustAdmin(200, "PATCH", "/plugins/"+ids[i], map[string]any{"enabled": false})
	}
	waitFor(t, 3*time.Second, "every instance disabled", func() bool {
		status, _, _ := n.proxyStatus("/p", "apikey", "alice-key")
		return status == 200
	})
}

func pemPublicKey(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func signJWT(t *testing.T, m jwtlib.SigningMethod, key any, claims jwtlib.MapClaims) string {
	t.Helper()
	s, err := jwtlib.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestJWTPlugin covers HS256, RS256 and ES256 credentials created with
// go-kong, and Kong's answers to forged, expired and ambiguous tokens.
func TestJWTPlugin(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	c := kongClient(t, n)
	ctx := ctx(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/jwt"}})
	consumer, err := c.Consumers.Create(ctx, &kong.Consumer{Username: kong.String("jane")})
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	hs, err := c.JWTAuths.Create(ctx, consumer.ID, &kong.JWTAuth{Key: kong.String("hs-iss"), Secret: kong.String("hs-secret")})
	if err != nil {
		t.Fatal(err)
	}
	if *hs.Algorithm != "HS256" || hs.RSAPublicKey != nil {
		t.Errorf("HS credential defaults: %+v", hs)
	}
	rsPEM := pemPublicKey(t, &rsaKey.PublicKey)
	if _, err := c.JWTAuths.Create(ctx, consumer.ID, &kong.JWTAuth{Key: kong.String("rs-iss"),
		Algorithm: kong.String("RS256"), RSAPublicKey: kong.String(rsPEM)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.JWTAuths.Create(ctx, consumer.ID, &kong.JWTAuth{Key: kong.String("es-iss"),
		Algorithm: kong.String("ES256"), RSAPublicKey: kong.String(pemPublicKey(t, &ecKey.PublicKey))}); err != nil {
		t.Fatal(err)
	}
	generated, err := c.JWTAuths.Create(ctx, consumer.ID, &kong.JWTAuth{})
	if err != nil || generated.Key == nil || generated.Secret == nil || *generated.Key == *generated.Secret {
		t.Errorf("generated key and secret: %+v %v", generated, err)
	}
	status, body := n.admin("POST", "/consumers/jane/jwt", map[string]any{"algorithm": "RS256"})
	if status != 400 || body["fields"].(map[string]any)["rsa_public_key"] != "required field missing" {
		t.Errorf("RS256 without key: %d %v", status, body)
	}
	status, body = n.admin("POST", "/consumers/jane/jwt", map[string]any{"algorithm": "RS256", "rsa_public_key": "nope"})
	if status != 400 || body["fields"].(map[string]any)["rsa_public_key"] != "invalid key" {
		t.Errorf("RS256 with a bad key: %d %v", status, body)
	}
	n.mustAdmin(201, "POST", "/routes/r/plugins", map[string]any{"name": "jwt",
		"config": map[string]any{"claims_to_verify": []any{"exp", "nbf"}}})

	now := time.Now().Unix()
	valid := jwtlib.MapClaims{"iss": "hs-iss", "exp": now + 300, "nbf": now - 10}
	withIss := func(iss string) jwtlib.MapClaims {
		return jwtlib.MapClaims{"iss": iss, "exp": now + 300, "nbf": now - 10}
	}
	hsToken := signJWT(t, jwtlib.SigningMethodHS256, []byte("hs-secret"), valid)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

	n.waitStatus(401, "/jwt")
	for _, tc := range []struct {
		key   string
		token string
	}{
		{"hs-iss", hsToken},
		{"rs-iss", signJWT(t, jwtlib.SigningMethodRS256, rsaKey, withIss("rs-iss"))},
		{"es-iss", signJWT(t, jwtlib.SigningMethodES256, ecKey, withIss("es-iss"))},
	} {
		e := readEcho(t, n.get("/jwt", "Authorization", "Bearer "+tc.token))
		h := http.Header(e.Headers)
		if h.Get("X-Consumer-Username") != "jane" || h.Get("X-Credential-Identifier") != tc.key {
			t.Errorf("%s: upstream headers %v", tc.key, h)
		}
	}

	for _, tc := range []struct {
		name      string
		header    []string
		query     string
		wantBody  string
		challenge string
	}{
		{"no token", nil, "", `{"message":"Unauthorized"}`, "Bearer"},
		{"alg none", []string{"Authorization", "Bearer " + b64(`{"alg":"none"}`) + "." + b64(`{"iss":"hs-iss"}`) + "."}, "",
			`{"message":"Bad token; invalid alg"}`, `Bearer error="invalid_token"`},
		{"HS256 signed with the RS256 public key", []string{"Authorization",
			"Bearer " + signJWT(t, jwtlib.SigningMethodHS256, []byte(rsPEM), withIss("rs-iss"))}, "",
			`{"message":"Invalid algorithm"}`, `Bearer error="invalid_token"`},
		{"bad signature", []string{"Authorization", "Bearer " + signJWT(t, jwtlib.SigningMethodHS256, []byte("wrong"), valid)}, "",
			`{"message":"Invalid signature"}`, `Bearer error="invalid_token"`},
		{"expired", []string{"Authorization", "Bearer " + signJWT(t, jwtlib.SigningMethodHS256, []byte("hs-secret"),
			jwtlib.MapClaims{"iss": "hs-iss", "exp": now - 1, "nbf": now - 10})}, "", `{"exp":"token expired"}`, `Bearer error="invalid_token"`},
		{"not yet valid", []string{"Authorization", "Bearer " + signJWT(t, jwtlib.SigningMethodHS256, []byte("hs-secret"),
			jwtlib.MapClaims{"iss": "hs-iss", "exp": now + 300, "nbf": now + 120})}, "", `{"nbf":"token not valid yet"}`, `Bearer error="invalid_token"`},
		{"missing iss", []string{"Authorization", "Bearer " + signJWT(t, jwtlib.SigningMethodHS256, []byte("hs-secret"),
			jwtlib.MapClaims{"exp": now + 300, "nbf": now})}, "", `{"message":"No mandatory 'iss' in claims"}`, `Bearer error="invalid_token"`},
		{"multiple tokens", []string{"Authorization", "Bearer " + hsToken}, "?jwt=" + signJWT(t, jwtlib.SigningMethodRS256, rsaKey, withIss("rs-iss")),
			`{"message":"Multiple tokens provided"}`, `Bearer error="invalid_token"`},
	} {
		status, body, h := n.proxyStatus("/jwt"+tc.query, tc.header...)
		if status != 401 || string(body) != tc.wantBody || h.Get("WWW-Authenticate") != tc.challenge {
			t.Errorf("%s: %d %s (WWW-Authenticate %q)", tc.name, status, body, h.Get("WWW-Authenticate"))
		}
	}
	all, err := c.JWTAuths.ListAll(ctx)
	if err != nil || len(all) != 4 {
		t.Errorf("JWTAuths.ListAll: %d, %v", len(all), err)
	}
}

// TestACLPlugin covers allow and deny lists after key-auth, the
// X-Consumer-Groups header and ACL groups addressed by name.
func TestACLPlugin(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	c := kongClient(t, n)
	ctx := ctx(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "allow", "paths": []string{"/allow"}})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "deny", "paths": []string{"/deny"}})
	admin, err := c.Consumers.Create(ctx, &kong.Consumer{Username: kong.String("root")})
	if err != nil {
		t.Fatal(err)
	}
	user, err := c.Consumers.Create(ctx, &kong.Consumer{Username: kong.String("user")})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []struct {
		consumer *kong.Consumer
		group    string
	}{{admin, "admins"}, {admin, "staff"}, {user, "staff"}} {
		if _, err := c.ACLs.Create(ctx, g.consumer.ID, &kong.ACLGroup{Group: kong.String(g.group)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ACLs.Create(ctx, user.ID, &kong.ACLGroup{Group: kong.String("staff")}); !isConflict(err) {
		t.Errorf("duplicate group: %v", err)
	}
	got, err := c.ACLs.Get(ctx, admin.ID, kong.String("admins"))
	if err != nil || *got.Group != "admins" {
		t.Errorf("ACL by group name: %+v %v", got, err)
	}
	if _, err := c.ACLs.Get(ctx, user.ID, kong.String("admins")); !kong.IsNotFoundErr(err) {
		t.Errorf("other consumer's group: %v", err)
	}
	n.mustAdmin(201, "POST", "/consumers/root/key-auth", map[string]any{"key": "root-key"})
	n.mustAdmin(201, "POST", "/consumers/user/key-auth", map[string]any{"key": "user-key"})
	n.mustAdmin(201, "POST", "/services/svc/plugins", map[string]any{"name": "key-auth"})
	n.mustAdmin(201, "POST", "/routes/allow/plugins", map[string]any{"name": "acl", "config": map[string]any{"allow": []any{"admins"}}})
	n.mustAdmin(201, "POST", "/routes/deny/plugins", map[string]any{"name": "acl", "config": map[string]any{"deny": []any{"admins"}}})
	status, body := n.admin("POST", "/plugins", map[string]any{"name": "acl", "config": map[string]any{}})
	if status != 400 {
		t.Errorf("acl without lists: %d %v", status, body)
	}

	n.waitStatus(403, "/allow", "apikey", "user-key")
	status, raw, _ := n.proxyStatus("/allow", "apikey", "user-key")
	if status != 403 || errorMessage(t, raw) != "You cannot consume this service" {
		t.Errorf("not in allow list: %d %s", status, raw)
	}
	e := readEcho(t, n.get("/allow", "apikey", "root-key", "X-Consumer-Groups", "forged"))
	if g := http.Header(e.Headers).Get("X-Consumer-Groups"); g != "admins, staff" {
		t.Errorf("X-Consumer-Groups = %q", g)
	}
	if status, raw, _ := n.proxyStatus("/deny", "apikey", "root-key"); status != 403 || errorMessage(t, raw) != "You cannot consume this service" {
		t.Errorf("denied group: %d %s", status, raw)
	}
	e = readEcho(t, n.get("/deny", "apikey", "user-key"))
	if g := http.Header(e.Headers).Get("X-Consumer-Groups"); g != "staff" {
		t.Errorf("deny list X-Consumer-Groups = %q", g)
	}
	if err := c.ACLs.Delete(ctx, admin.ID, kong.String("admins")); err != nil {
		t.Fatal(err)
	}
	n.waitStatus(403, "/allow", "apikey", "root-key")
}

func isConflict(err error) bool {
	var apiErr *kong.APIError
	return asAPIError(err, &apiErr) && apiErr.Code() == 409
}

// TestHMACAuthPlugin covers a valid signature, a bad one and a date
// outside the clock skew, with a credential created through go-kong.
func TestHMACAuthPlugin(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	c := kongClient(t, n)
	ctx := ctx(t)
	n.mustAdmin(201, "POST", "/services", map[string]any{"name": "svc", "url": up.URL})
	n.mustAdmin(201, "POST", "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/hmac"}})
	consumer, err := c.Consumers.Create(ctx, &kong.Consumer{Username: kong.String("hal")})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := c.HMACAuths.Create(ctx, consumer.ID, &kong.HMACAuth{Username: kong.String("hal-hmac"), Secret: kong.String("hal-secret")})
	if err != nil || *cred.Username != "hal-hmac" {
		t.Fatalf("HMACAuths.Create: %+v %v", cred, err)
	}
	generated, err := c.HMACAuths.Create(ctx, consumer.ID, &kong.HMACAuth{Username: kong.String("hal-2")})
	if err != nil || generated.Secret == nil || *generated.Secret == "" {
		t.Errorf("generated secret: %+v %v", generated, err)
	}
	n.mustAdmin(201, "POST", "/routes/r/plugins", map[string]any{"name": "hmac-auth"})

	sign := func(secret, date string) string {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("date: " + date + "\nGET /hmac HTTP/1.1"))
		sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		return `hmac username="hal-hmac", algorithm="hmac-sha256", headers="date request-line", signature="` + sig + `"`
	}
	now := time.Now().UTC().Format(http.TimeFormat)
	n.waitStatus(401, "/hmac")
	e := readEcho(t, n.get("/hmac", "Date", now, "Authorization", sign("hal-secret", now)))
	if h := http.Header(e.Headers); h.Get("X-Consumer-Username") != "hal" || h.Get("X-Credential-Identifier") != "hal-hmac" {
		t.Errorf("upstream headers %v", h)
	}
	stale := time.Now().Add(-10 * time.Minute).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		name    string
		headers []string
		want    string
	}{
		{"no credentials", nil, "Unauthorized"},
		{"bad signature", []string{"Date", now, "Authorization", sign("wrong", now)}, "HMAC signature does not match"},
		{"clock skew", []string{"Date", stale, "Authorization", sign("hal-secret", stale)},
			"HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"},
	} {
		status, body, _ := n.proxyStatus("/hmac", tc.headers...)
		if status != 401 || exitMessage(t, body) != tc.want {
			t.Errorf("%s: %d %s", tc.name, status, body)
		}
	}
	all, _, err := c.HMACAuths.ListForConsumer(ctx, consumer.ID, nil)
	if err != nil || len(all) != 2 {
		t.Errorf("HMACAuths.ListForConsumer: %d %v", len(all), err)
	}
}
