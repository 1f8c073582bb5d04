package plugin_test

import (
	"net/http"
	"testing"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func TestMessageBody(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"Unauthorized", `{"message":"Unauthorized"}`},
		{`say "hi" <b>&`, `{"message":"say \"hi\" <b>&"}`},
		{"", `{"message":""}`},
	}
	for _, tt := range tests {
		if got := string(plugin.MessageBody(tt.msg)); got != tt.want {
			t.Errorf("MessageBody(%q) = %s, want %s", tt.msg, got, tt.want)
		}
	}
}

func TestExitMessage(t *testing.T) {
	ctx := plugintest.NewContext("/")
	plugin.ExitMessage(ctx, http.StatusUnauthorized, "Unauthorized", plugin.Header{Name: "WWW-Authenticate", Value: `Key realm="kong"`})
	if !ctx.Exited() || ctx.Resp.Code != http.StatusUnauthorized {
		t.Fatalf("exited=%v status=%d", ctx.Exited(), ctx.Resp.Code)
	}
	if got := string(ctx.Resp.Body); got != `{"message":"Unauthorized"}` {
		t.Errorf("body %s", got)
	}
	if ct := ctx.Resp.Header("content-type"); ct != plugin.ContentTypeJSON {
		t.Errorf("Content-Type %q", ct)
	}
	if h := ctx.Resp.Header("WWW-Authenticate"); h != `Key realm="kong"` {
		t.Errorf("WWW-Authenticate %q", h)
	}
}
