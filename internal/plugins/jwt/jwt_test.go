package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
	"github.com/straitgw/strait/internal/plugins/authn"
)

// testCtx is a plugin context that provides a directory.
type testCtx struct {
	*plugintest.Context
	dir *authn.Directory
}

func (c testCtx) Directory() *authn.Directory { return c.dir }

// keys are the signing keys of the test credentials.
type keys struct {
	rsa   *rsa.PrivateKey
	ec    *ecdsa.PrivateKey
	ed    ed25519.PrivateKey
	rsaPE string
	ecPEM string
	edPEM string
}

func pemOf(t testing.TB, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

var testKeys *keys

func newKeys(t testing.TB) *keys {
	t.Helper()
	if testKeys != nil {
		return testKeys
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	testKeys = &keys{rsa: rk, ec: ek, ed: edPriv,
		rsaPE: pemOf(t, &rk.PublicKey), ecPEM: pemOf(t, &ek.PublicKey), edPEM: pemOf(t, edPub)}
	return testKeys
}

const hsSecret = "hs-secret-value"

func testDirectory(t testing.TB, k *keys) *authn.Directory {
	t.Helper()
	owner := map[string]any{"id": "c1"}
	d, err := authn.NewDirectory(authn.Sources{
		Consumers: []entity.Object{
			{"id": "c1", "username": "alice"},
			{"id": "c-anon", "username": "guest"},
		},
		JWTSecrets: []entity.Object{
			{"id": "j-hs", "key": "hs-iss", "secret": hsSecret, "algorithm": "HS256", "consumer": owner},
			{"id": "j-hs512", "key": "hs512-iss", "secret": base64.StdEncoding.EncodeToString([]byte("raw-bytes")),
				"algorithm": "HS512", "consumer": owner},
			{"id": "j-rs", "key": "rs-iss", "secret": "unused", "algorithm": "RS256", "rsa_public_key": k.rsaPE, "consumer": owner},
			{"id": "j-ps", "key": "ps-iss", "secret": "unused", "algorithm": "PS256", "rsa_public_key": k.rsaPE, "consumer": owner},
			{"id": "j-es", "key": "es-iss", "secret": "unused", "algorithm": "ES256", "rsa_public_key": k.ecPEM, "consumer": owner},
			{"id": "j-ed", "key": "ed-iss", "secret": "unused", "algorithm": "EdDSA", "rsa_public_key": k.edPEM, "consumer": owner},
			{"id": "j-bad64", "key": "hs-bad64", "secret": "not base64!", "algorithm": "HS256", "consumer": owner},
			{"id": "j-es-nokey", "key": "es-nokey", "secret": "unused", "algorithm": "ES256", "consumer": owner},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newHandler(t testing.TB, config entity.Object) *Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

// sign returns a token for claims signed with method and key.
func sign(t testing.TB, method jwtlib.SigningMethod, key any, claims jwtlib.MapClaims) string {
	t.Helper()
	s, err := jwtlib.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// unsigned builds header.claims.signature from raw JSON parts.
func unsigned(header, claims, sig string) string { return b64(header) + "." + b64(claims) + "." + sig }

func TestAccess(t *testing.T) {
	k := newKeys(t)
	now := plugintest.NewContext("/").Clock.Unix()
	hs := func(c jwtlib.MapClaims) string { return sign(t, jwtlib.SigningMethodHS256, []byte(hsSecret), c) }
	good := hs(jwtlib.MapClaims{"iss": "hs-iss"})

	tests := []struct {
		name   string
		config entity.Object
		// header/query/cookie carry the token.
		header, query, cookie string
		extra                 func(r *plugintest.Request)
		wantStatus            int // 0: the request goes on
		wantBody              string
		wantChallenge         string
		wantConsumer          string
	}{
		{name: "HS256 in header", header: "Bearer " + good, wantConsumer: "c1"},
		{name: "lowercase bearer and extra spaces", header: "bearer   " + good, wantConsumer: "c1"},
		{name: "HS256 in query", query: good, wantConsumer: "c1"},
		{name: "HS256 in cookie", config: entity.Object{"cookie_names": []any{"jwt_cookie"}}, cookie: "a=b; jwt_cookie=" + good, wantConsumer: "c1"},
		{name: "same token twice is one token", header: "Bearer " + good, query: good, wantConsumer: "c1"},
		{name: "RS256", header: "Bearer " + sign(t, jwtlib.SigningMethodRS256, k.rsa, jwtlib.MapClaims{"iss": "rs-iss"}), wantConsumer: "c1"},
		{name: "PS256", header: "Bearer " + sign(t, jwtlib.SigningMethodPS256, k.rsa, jwtlib.MapClaims{"iss": "ps-iss"}), wantConsumer: "c1"},
		{name: "ES256", header: "Bearer " + sign(t, jwtlib.SigningMethodES256, k.ec, jwtlib.MapClaims{"iss": "es-iss"}), wantConsumer: "c1"},
		{name: "EdDSA", header: "Bearer " + sign(t, jwtlib.SigningMethodEdDSA, k.ed, jwtlib.MapClaims{"iss": "ed-iss"}), wantConsumer: "c1"},
		{name: "key in the JWT header", header: "Bearer " + func() string {
			tok := jwtlib.NewWithClaims(jwtlib.SigningMethodHS256, jwtlib.MapClaims{"sub": "x"})
			tok.Header["iss"] = "hs-iss"
			s, _ := tok.SignedString([]byte(hsSecret))
			return s
		}(), wantConsumer: "c1"},
		{name: "secret_is_base64", config: entity.Object{"secret_is_base64": true},
			header: "Bearer " + sign(t, jwtlib.SigningMethodHS512, []byte("raw-bytes"), jwtlib.MapClaims{"iss": "hs512-iss"}), wantConsumer: "c1"},
		{name: "custom key claim", config: entity.Object{"key_claim_name": "kid"},
			header: "Bearer " + hs(jwtlib.MapClaims{"kid": "hs-iss"}), wantConsumer: "c1"},
		{name: "valid exp and nbf", config: entity.Object{"claims_to_verify": []any{"exp", "nbf"}},
			header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "exp": now + 60, "nbf": now}), wantConsumer: "c1"},
		{name: "exp not checked unless listed", header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "exp": now - 60}), wantConsumer: "c1"},
		{name: "preflight skipped", config: entity.Object{"run_on_preflight": false},
			extra: func(r *plugintest.Request) { r.MethodName = "OPTIONS" }},

		{name: "no token", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: "Bearer"},
		{name: "no token with realm", config: entity.Object{"realm": "api"}, wantStatus: 401,
			wantBody: `{"message":"Unauthorized"}`, wantChallenge: `Bearer realm="api"`},
		{name: "not a bearer header", header: "Basic abc", wantStatus: 401, wantBody: `{"message":"Unauthorized"}`, wantChallenge: "Bearer"},
		{name: "multiple tokens", header: "Bearer " + good, query: hs(jwtlib.MapClaims{"iss": "hs-iss", "x": 1}),
			wantStatus: 401, wantBody: `{"message":"Multiple tokens provided"}`, wantChallenge: `Bearer error="invalid_token"`},
		{name: "multiple tokens with realm", config: entity.Object{"realm": "api"}, header: "Bearer " + good, query: "other",
			wantStatus: 401, wantBody: `{"message":"Multiple tokens provided"}`, wantChallenge: `Bearer realm="api" error="invalid_token"`},
		{name: "garbage", header: "Bearer abc", wantStatus: 401, wantBody: `{"message":"Bad token; invalid JSON"}`},
		{name: "two segments", header: "Bearer " + b64(`{"alg":"HS256"}`) + "." + b64(`{}`), wantStatus: 401, wantBody: `{"message":"Bad token; invalid JSON"}`},
		{name: "alg none", header: "Bearer " + unsigned(`{"alg":"none"}`, `{"iss":"hs-iss"}`, ""), wantStatus: 401, wantBody: `{"message":"Bad token; invalid alg"}`},
		{name: "alg nOnE", header: "Bearer " + unsigned(`{"alg":"nOnE"}`, `{"iss":"hs-iss"}`, ""), wantStatus: 401, wantBody: `{"message":"Bad token; invalid alg"}`},
		{name: "alg missing", header: "Bearer " + unsigned(`{"typ":"JWT"}`, `{"iss":"hs-iss"}`, ""), wantStatus: 401, wantBody: `{"message":"Bad token; invalid alg"}`},
		{name: "claims not an object", header: "Bearer " + unsigned(`{"alg":"HS256"}`, `[1]`, ""), wantStatus: 401, wantBody: `{"message":"Bad token; invalid claims"}`},
		{name: "signature not base64", header: "Bearer " + unsigned(`{"alg":"HS256"}`, `{"iss":"hs-iss"}`, "a.b"), wantStatus: 401, wantBody: `{"message":"Bad token; invalid signature"}`},
		{name: "missing iss", header: "Bearer " + hs(jwtlib.MapClaims{"sub": "x"}), wantStatus: 401, wantBody: `{"message":"No mandatory 'iss' in claims"}`},
		{name: "empty iss", header: "Bearer " + hs(jwtlib.MapClaims{"iss": ""}), wantStatus: 401, wantBody: `{"message":"Invalid 'iss' in claims"}`},
		{name: "numeric iss", header: "Bearer " + hs(jwtlib.MapClaims{"iss": 5}), wantStatus: 401, wantBody: `{"message":"No credentials found for given 'iss'"}`},
		{name: "unknown iss", header: "Bearer " + hs(jwtlib.MapClaims{"iss": "nobody"}), wantStatus: 401,
			wantBody: `{"message":"No credentials found for given 'iss'"}`, wantChallenge: `Bearer error="invalid_token"`},
		{name: "HS token for RS credential (alg confusion)",
			header:     "Bearer " + sign(t, jwtlib.SigningMethodHS256, []byte(k.rsaPE), jwtlib.MapClaims{"iss": "rs-iss"}),
			wantStatus: 401, wantBody: `{"message":"Invalid algorithm"}`},
		{name: "ES token for RS credential",
			header:     "Bearer " + sign(t, jwtlib.SigningMethodES256, k.ec, jwtlib.MapClaims{"iss": "rs-iss"}),
			wantStatus: 401, wantBody: `{"message":"Invalid algorithm"}`},
		{name: "credential without key", header: "Bearer " + sign(t, jwtlib.SigningMethodES256, k.ec, jwtlib.MapClaims{"iss": "es-nokey"}),
			wantStatus: 401, wantBody: `{"message":"Invalid key/secret"}`},
		{name: "secret not base64", config: entity.Object{"secret_is_base64": true},
			header:     "Bearer " + sign(t, jwtlib.SigningMethodHS256, []byte("x"), jwtlib.MapClaims{"iss": "hs-bad64"}),
			wantStatus: 401, wantBody: `{"message":"Invalid key/secret"}`},
		{name: "wrong HS secret", header: "Bearer " + sign(t, jwtlib.SigningMethodHS256, []byte("other"), jwtlib.MapClaims{"iss": "hs-iss"}),
			wantStatus: 401, wantBody: `{"message":"Invalid signature"}`},
		{name: "RS signature by another key", header: "Bearer " + func() string {
			other, _ := rsa.GenerateKey(rand.Reader, 1024)
			return sign(t, jwtlib.SigningMethodRS256, other, jwtlib.MapClaims{"iss": "rs-iss"})
		}(), wantStatus: 401, wantBody: `{"message":"Invalid signature"}`},
		{name: "ES256 zero signature", header: "Bearer " + unsigned(`{"alg":"ES256"}`, `{"iss":"es-iss"}`,
			base64.RawURLEncoding.EncodeToString(make([]byte, 64))), wantStatus: 401, wantBody: `{"message":"Invalid signature"}`},
		{name: "tampered claims", header: "Bearer " + func() string {
			parts := strings.Split(good, ".")
			return parts[0] + "." + b64(`{"iss":"hs-iss","admin":true}`) + "." + parts[2]
		}(), wantStatus: 401, wantBody: `{"message":"Invalid signature"}`},
		{name: "expired", config: entity.Object{"claims_to_verify": []any{"exp"}},
			header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "exp": now}), wantStatus: 401, wantBody: `{"exp":"token expired"}`,
			wantChallenge: `Bearer error="invalid_token"`},
		{name: "exp missing", config: entity.Object{"claims_to_verify": []any{"exp"}},
			header: "Bearer " + good, wantStatus: 401, wantBody: `{"exp":"must be a number"}`},
		{name: "exp as string", config: entity.Object{"claims_to_verify": []any{"exp"}},
			header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "exp": "9999999999"}), wantStatus: 401, wantBody: `{"exp":"must be a number"}`},
		{name: "nbf in the future", config: entity.Object{"claims_to_verify": []any{"nbf"}},
			header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "nbf": now + 1}), wantStatus: 401, wantBody: `{"nbf":"token not valid yet"}`},
		{name: "both claims fail", config: entity.Object{"claims_to_verify": []any{"exp", "nbf"}},
			header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "exp": now - 1, "nbf": now + 1}), wantStatus: 401,
			wantBody: `{"exp":"token expired","nbf":"token not valid yet"}`},
		{name: "beyond maximum expiration", config: entity.Object{"claims_to_verify": []any{"exp"}, "maximum_expiration": float64(60)},
			header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "exp": now + 61}), wantStatus: 401,
			wantBody: `{"exp":"exceeds maximum allowed expiration"}`},
		{name: "within maximum expiration", config: entity.Object{"claims_to_verify": []any{"exp"}, "maximum_expiration": float64(60)},
			header: "Bearer " + hs(jwtlib.MapClaims{"iss": "hs-iss", "exp": now + 60}), wantConsumer: "c1"},
		{name: "anonymous fallback", config: entity.Object{"anonymous": "guest"}, header: "Bearer junk", wantConsumer: "c-anon"},
	}
	d := testDirectory(t, k)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.config)
			ctx := testCtx{plugintest.NewContext("/"), d}
			if tc.header != "" {
				ctx.Req.Headers.Set("Authorization", tc.header)
			}
			if tc.query != "" {
				ctx.Req.Args.Set("jwt", tc.query)
			}
			if tc.cookie != "" {
				ctx.Req.Headers.Set("Cookie", tc.cookie)
			}
			if tc.extra != nil {
				tc.extra(ctx.Req)
			}
			h.Access(ctx)
			if tc.wantStatus == 0 {
				if ctx.Exited() {
					t.Fatalf("exited %d %s", ctx.Resp.Code, ctx.Resp.Body)
				}
				got := ""
				if ctx.Consumer() != nil {
					got = ctx.Consumer().ID
				}
				if got != tc.wantConsumer {
					t.Errorf("consumer %q, want %q", got, tc.wantConsumer)
				}
				if tc.wantConsumer == "c1" && ctx.Req.Headers.Get("X-Credential-Identifier") == "" {
					t.Error("no X-Credential-Identifier")
				}
				return
			}
			if !ctx.Exited() || ctx.Resp.Code != tc.wantStatus || string(ctx.Resp.Body) != tc.wantBody {
				t.Fatalf("got %v %d %s, want %d %s", ctx.Exited(), ctx.Resp.Code, ctx.Resp.Body, tc.wantStatus, tc.wantBody)
			}
			want := tc.wantChallenge
			if want == "" {
				want = `Bearer error="invalid_token"`
			}
			if got := ctx.Resp.Headers.Get("WWW-Authenticate"); got != want {
				t.Errorf("WWW-Authenticate %q, want %q", got, want)
			}
			if ct := ctx.Resp.Headers.Get("Content-Type"); ct != plugin.ContentTypeJSON {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestTokenSources(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		wantCount int
		wantFirst string
	}{
		{"value", "jwt=abc", 1, "abc"},
		{"escaped", "jwt=a%2Eb", 1, "a.b"},
		{"empty value ignored", "jwt=", 0, ""},
		{"flag", "jwt", 1, ""},
		{"flag and value", "jwt&jwt=abc", 2, ""},
		{"same value twice", "jwt=abc&jwt=abc", 1, "abc"},
		{"two values", "jwt=abc&jwt=def", 2, "abc"},
		{"other names", "x=1&jwtx=2", 0, ""},
	}
	for _, tc := range tests {
		var s tokenSearch
		queryTokens(tc.query, []string{"jwt"}, &s)
		if s.count() != tc.wantCount || (tc.wantFirst != "" && s.first != tc.wantFirst) {
			t.Errorf("%s: count %d first %q", tc.name, s.count(), s.first)
		}
	}
	bearer := []struct{ in, want string }{
		{"Bearer abc", "abc"},
		{"  bearer\tabc def", "abc def"},
		{"xBearer abc", "abc"},
		{"Bearerabc", ""},
		{"Bearer", ""},
		{"Bearer ", ""},
		{"Bearer  ", " "},
		{"BEARER abc", ""},
	}
	for _, tc := range bearer {
		got, _ := bearerToken(tc.in)
		if got != tc.want {
			t.Errorf("bearerToken(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	cookies := []struct{ header, want string }{
		{"jwt=abc", "abc"},
		{"a=1; jwt=abc; b=2", "abc"},
		{"xjwt=abc", ""},
	}
	for _, tc := range cookies {
		if got, _ := cookieValue(tc.header, "jwt"); got != tc.want {
			t.Errorf("cookieValue(%q) = %q", tc.header, got)
		}
	}
}

func TestFlagArgumentIsUnrecognizable(t *testing.T) {
	h := newHandler(t, nil)
	ctx := testCtx{plugintest.NewContext("/"), testDirectory(t, newKeys(t))}
	ctx.Req.Args = nil
	req := flagRequest{ctx.Req}
	fail := h.authenticate(flagCtx{ctx, req})
	if fail == nil || string(fail.body) != `{"message":"Unrecognizable token"}` || !fail.invalid {
		t.Errorf("flag argument: %+v", fail)
	}
}

// flagRequest reports a raw query with a value-less jwt argument.
type flagRequest struct{ *plugintest.Request }

func (flagRequest) RawQuery() string { return "jwt" }

type flagCtx struct {
	testCtx
	req flagRequest
}

func (c flagCtx) Request() plugin.Request { return c.req }

func TestMaximumExpirationCheck(t *testing.T) {
	s := entity.PluginsWith(func(string) (entity.PluginDef, bool) {
		return entity.PluginDef{Config: Plugin{}.ConfigSchema(), NoConsumer: true}, true
	})
	const entityMsg = "failed conditional validation given value of field 'config.maximum_expiration'"
	tests := []struct {
		name   string
		config map[string]any
		fail   bool
	}{
		{"zero needs nothing", map[string]any{}, false},
		{"positive with exp", map[string]any{"maximum_expiration": 60.0, "claims_to_verify": []any{"exp"}}, false},
		{"positive without claims", map[string]any{"maximum_expiration": 60.0}, true},
		{"positive with nbf only", map[string]any{"maximum_expiration": 60.0, "claims_to_verify": []any{"nbf"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, perr := s.Process(entity.Object{"name": Name, "config": tc.config}, entity.OpInsert, nil)
			if !tc.fail {
				if perr != nil {
					t.Fatalf("rejected: %s", perr.Message)
				}
				return
			}
			if perr == nil {
				t.Fatal("accepted")
			}
			want := "2 schema violations (" + entityMsg + "; config.claims_to_verify: expected to contain: exp)"
			if perr.Message != want {
				t.Errorf("message %q\n want %q", perr.Message, want)
			}
			fields, _ := perr.Fields.(map[string]any)
			cfg, _ := fields["config"].(map[string]any)
			ent, _ := fields["@entity"].([]any)
			if len(ent) != 1 || ent[0] != entityMsg || cfg["claims_to_verify"] != "expected to contain: exp" {
				t.Errorf("fields %v", perr.Fields)
			}
		})
	}
	doc, _ := s.PluginJSON(Name)
	checks, _ := doc["entity_checks"].([]any)
	if len(checks) != 1 {
		t.Fatalf("entity_checks %v", doc["entity_checks"])
	}
	cond, _ := checks[0].(map[string]any)["conditional"].(map[string]any)
	if cond["if_field"] != "config.maximum_expiration" || cond["then_field"] != "config.claims_to_verify" {
		t.Errorf("advertised %v", checks[0])
	}
}
