package basicauth

import (
	"encoding/base64"
	"testing"

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

func basic(userPass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

func TestParseBasic(t *testing.T) {
	tests := []struct {
		in, user, pass string
		ok             bool
	}{
		{basic("u:p"), "u", "p", true},
		{"basic " + base64.StdEncoding.EncodeToString([]byte("u:p:q")), "u", "p:q", true},
		{"  Basic   " + base64.StdEncoding.EncodeToString([]byte("u:")), "u", "", true},
		{basic(":p"), "", "", false},
		{basic("nocolon"), "", "", false},
		{"Bearer abc", "", "", false},
		{"Basic !!!", "", "", false},
		{"Basic", "", "", false},
	}
	for _, tc := range tests {
		user, pass, ok := ParseBasic(tc.in)
		if user != tc.user || pass != tc.pass || ok != tc.ok {
			t.Errorf("ParseBasic(%q) = %q %q %v", tc.in, user, pass, ok)
		}
	}
}

func TestAccess(t *testing.T) {
	dir, err := authn.NewDirectory(authn.Sources{
		Consumers: []entity.Object{{"id": "c1", "username": "alice"}, {"id": "c2", "username": "guest"}},
		BasicAuthCredentials: []entity.Object{{"id": "b1", "username": "alice-b", "consumer": map[string]any{"id": "c1"},
			"password": entity.HashBasicAuthPassword("secret", "c1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		config       entity.Object
		headers      []string
		wantStatus   int
		wantConsumer string
		wantAuthHdr  bool // Authorization still sent upstream
	}{
		{name: "no header", wantStatus: 401},
		{name: "good", headers: []string{"Authorization", basic("alice-b:secret")}, wantConsumer: "c1", wantAuthHdr: true},
		{name: "hidden", config: entity.Object{"hide_credentials": true},
			headers: []string{"Authorization", basic("alice-b:secret")}, wantConsumer: "c1"},
		{name: "wrong password", headers: []string{"Authorization", basic("alice-b:nope")}, wantStatus: 401, wantAuthHdr: true},
		{name: "unknown user", headers: []string{"Authorization", basic("bob:secret")}, wantStatus: 401, wantAuthHdr: true},
		{name: "proxy-authorization first", headers: []string{"Proxy-Authorization", basic("alice-b:secret"),
			"Authorization", "Bearer x"}, wantConsumer: "c1", wantAuthHdr: true},
		{name: "falls back to authorization", headers: []string{"Proxy-Authorization", basic("bob:x"),
			"Authorization", basic("alice-b:secret")}, wantConsumer: "c1", wantAuthHdr: true},
		{name: "anonymous", config: entity.Object{"anonymous": "c2"}, wantConsumer: "c2"},
	}
	p := Plugin{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hh, err := p.New(plugin.FillDefaults(p.ConfigSchema(), tc.config))
			if err != nil {
				t.Fatal(err)
			}
			ctx := testCtx{plugintest.NewContext("/"), dir}
			for i := 0; i+1 < len(tc.headers); i += 2 {
				ctx.Req.Headers.Add(tc.headers[i], tc.headers[i+1])
			}
			hh.(*Handler).Access(ctx)
			if tc.wantStatus != 0 {
				if ctx.Resp.Code != tc.wantStatus || ctx.ErrorMessage != "Unauthorized" ||
					ctx.Resp.Headers.Get("WWW-Authenticate") != `Basic realm="service"` {
					t.Errorf("exit %d %q %q", ctx.Resp.Code, ctx.ErrorMessage, ctx.Resp.Headers.Get("WWW-Authenticate"))
				}
			} else if ctx.Exited() {
				t.Fatalf("exited %d", ctx.Resp.Code)
			}
			got := ""
			if c := ctx.Consumer(); c != nil {
				got = c.ID
			}
			if got != tc.wantConsumer {
				t.Errorf("consumer %q, want %q", got, tc.wantConsumer)
			}
			if got == "c1" && ctx.Req.Headers.Get("X-Credential-Identifier") != "alice-b" {
				t.Errorf("X-Credential-Identifier = %q", ctx.Req.Headers.Get("X-Credential-Identifier"))
			}
			if has := ctx.Req.Headers.Get("Authorization") != ""; has != tc.wantAuthHdr {
				t.Errorf("Authorization upstream = %v, want %v", has, tc.wantAuthHdr)
			}
		})
	}
}
