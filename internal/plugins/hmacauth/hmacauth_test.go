package hmacauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
	"github.com/straitgw/strait/internal/plugins/authn"
)

type testCtx struct {
	*plugintest.Context
	dir *authn.Directory
}

func (c testCtx) Directory() *authn.Directory { return c.dir }

const secret = "bob-secret"

func testDirectory(t *testing.T) *authn.Directory {
	t.Helper()
	d, err := authn.NewDirectory(authn.Sources{
		Consumers: []entity.Object{{"id": "c1", "username": "bob"}, {"id": "c-anon", "username": "guest"}},
		HMACAuthCredentials: []entity.Object{
			{"id": "h1", "username": "bob-hmac", "secret": secret, "consumer": map[string]any{"id": "c1"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// signature signs lines with secret by SHA-256, base64-encoded.
func signature(key, s string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func authz(user, alg, headers, sig string) string {
	return `hmac username="` + user + `", algorithm="` + alg + `", headers="` + headers + `", signature="` + sig + `"`
}

func TestAccess(t *testing.T) {
	d := testDirectory(t)
	clock := plugintest.NewContext("/").Clock
	date := clock.UTC().Format(http.TimeFormat)
	stale := clock.Add(-301 * time.Second).UTC().Format(http.TimeFormat)
	validSig := signature(secret, "date: "+date+"\nGET /resource?a=1 HTTP/1.1")
	body := []byte(`{"x":1}`)
	sum := sha256.Sum256(body)
	digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	digestSig := signature(secret, "date: "+date+"\ndigest: "+digest)

	tests := []struct {
		name     string
		config   entity.Object
		headers  map[string]string
		body     []byte
		wantMsg  string // "" means accepted
		wantCons string
		check    func(t *testing.T, r *plugintest.Request)
	}{
		{name: "valid", headers: map[string]string{"Date": date,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date request-line", validSig)}, wantCons: "c1",
			check: func(t *testing.T, r *plugintest.Request) {
				if r.Headers.Get("X-Credential-Identifier") != "bob-hmac" || r.Headers.Get("Authorization") == "" {
					t.Errorf("headers %+v", r.Headers)
				}
			}},
		{name: "x-date", headers: map[string]string{"X-Date": date, "Date": stale,
			"Authorization": authz("bob-hmac", "hmac-sha256", "x-date", signature(secret, "x-date: "+date))}, wantCons: "c1"},
		{name: "proxy-authorization wins and is hidden", config: entity.Object{"hide_credentials": true},
			headers: map[string]string{"Date": date, "Authorization": "Basic xyz",
				"Proxy-Authorization": authz("bob-hmac", "hmac-sha256", "date", signature(secret, "date: "+date))}, wantCons: "c1",
			check: func(t *testing.T, r *plugintest.Request) {
				if r.Headers.Get("Proxy-Authorization") != "" || r.Headers.Get("Authorization") == "" {
					t.Errorf("headers %+v", r.Headers)
				}
			}},
		{name: "missing header signs name only", headers: map[string]string{"Date": date,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date x-absent", signature(secret, "date: "+date+"\nx-absent:"))}, wantCons: "c1"},
		{name: "body digest", config: entity.Object{"validate_request_body": true}, body: body,
			headers: map[string]string{"Date": date, "Digest": digest,
				"Authorization": authz("bob-hmac", "hmac-sha256", "date digest", digestSig)}, wantCons: "c1"},

		{name: "no authorization", headers: map[string]string{"Date": date}, wantMsg: msgUnauthorized},
		{name: "no date", headers: map[string]string{"Authorization": authz("bob-hmac", "hmac-sha256", "date", "x")}, wantMsg: msgDateRequired},
		{name: "clock skew", headers: map[string]string{"Date": stale,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date", signature(secret, "date: "+stale))}, wantMsg: msgDateRequired},
		{name: "custom clock skew", config: entity.Object{"clock_skew": float64(400)}, headers: map[string]string{"Date": stale,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date", signature(secret, "date: "+stale))}, wantCons: "c1"},
		{name: "not hmac", headers: map[string]string{"Date": date, "Authorization": "Bearer abc"}, wantMsg: msgCannotVerify},
		{name: "unknown user", headers: map[string]string{"Date": date,
			"Authorization": authz("eve", "hmac-sha256", "date", signature(secret, "date: "+date))}, wantMsg: msgCannotVerify},
		{name: "algorithm not allowed", config: entity.Object{"algorithms": []any{"hmac-sha512"}}, headers: map[string]string{"Date": date,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date", signature(secret, "date: "+date))}, wantMsg: msgCannotVerify},
		{name: "unknown algorithm", headers: map[string]string{"Date": date,
			"Authorization": authz("bob-hmac", "hmac-md5", "date", signature(secret, "date: "+date))}, wantMsg: msgCannotVerify},
		{name: "enforced header not signed", config: entity.Object{"enforce_headers": []any{"request-line"}}, headers: map[string]string{"Date": date,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date", signature(secret, "date: "+date))}, wantMsg: msgCannotVerify},
		{name: "bad signature", headers: map[string]string{"Date": date,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date", signature("wrong", "date: "+date))}, wantMsg: msgSignatureMismatch},
		{name: "signature over another path", headers: map[string]string{"Date": date,
			"Authorization": authz("bob-hmac", "hmac-sha256", "date request-line", signature(secret, "date: "+date+"\nGET /other HTTP/1.1"))},
			wantMsg: msgSignatureMismatch},
		{name: "body without digest", config: entity.Object{"validate_request_body": true}, body: body,
			headers: map[string]string{"Date": date, "Authorization": authz("bob-hmac", "hmac-sha256", "date", signature(secret, "date: "+date))},
			wantMsg: msgSignatureMismatch},
		{name: "wrong digest", config: entity.Object{"validate_request_body": true}, body: []byte("other"),
			headers: map[string]string{"Date": date, "Digest": digest,
				"Authorization": authz("bob-hmac", "hmac-sha256", "date digest", digestSig)}, wantMsg: msgSignatureMismatch},
		{name: "anonymous", config: entity.Object{"anonymous": "guest"}, headers: map[string]string{"Date": date}, wantCons: "c-anon"},
	}
	p := Plugin{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hh, err := p.New(plugin.FillDefaults(p.ConfigSchema(), tc.config))
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx{plugintest.NewContext("/resource"), d}
			ctx.Req.Args.Set("a", "1")
			for k, v := range tc.headers {
				ctx.Req.Headers.Set(k, v)
			}
			ctx.Req.BodyBytes = tc.body
			hh.(*Handler).Access(ctx)
			if tc.wantMsg != "" {
				want := string(plugin.MessageBody(tc.wantMsg))
				if !ctx.Exited() || ctx.Resp.Code != 401 || string(ctx.Resp.Body) != want {
					t.Fatalf("got %v %d %s, want 401 %s", ctx.Exited(), ctx.Resp.Code, ctx.Resp.Body, want)
				}
				return
			}
			if ctx.Exited() {
				t.Fatalf("rejected: %d %s", ctx.Resp.Code, ctx.Resp.Body)
			}
			if ctx.Consumer() == nil || ctx.Consumer().ID != tc.wantCons {
				t.Fatalf("consumer %v, want %s", ctx.Consumer(), tc.wantCons)
			}
			if tc.check != nil {
				tc.check(t, ctx.Req)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	p := Plugin{}
	cfg := plugin.FillDefaults(p.ConfigSchema(), nil)
	if cfg["clock_skew"] != float64(300) || cfg["hide_credentials"] != false || cfg["anonymous"] != nil ||
		cfg["validate_request_body"] != false || len(cfg["enforce_headers"].([]any)) != 0 ||
		len(cfg["algorithms"].([]any)) != 4 || len(cfg) != 6 {
		t.Errorf("defaults %v", cfg)
	}
}
