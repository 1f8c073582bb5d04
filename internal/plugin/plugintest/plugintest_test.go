package plugintest_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func TestHeadersCaseInsensitive(t *testing.T) {
	var h plugintest.Headers
	h.Add("X-Foo", "1")
	h.Add("x-foo", "2")
	h.Add("Other", "o")
	if got := h.Get("X-FOO"); got != "1" {
		t.Errorf("Get = %q, want 1", got)
	}
	if got := h.Values("x-Foo"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("Values = %v", got)
	}
	h.Set("X-FOO", "3")
	if got := h.Values("x-foo"); !slices.Equal(got, []string{"3"}) || h.Len() != 2 {
		t.Errorf("after Set: %v (len %d)", got, h.Len())
	}
	h.Del("OTHER")
	if h.Get("other") != "" || h.Len() != 1 {
		t.Errorf("Del left %d fields", h.Len())
	}
}

func TestRequestQueryAndBody(t *testing.T) {
	r := plugintest.NewRequest("/x")
	r.SetRawQuery("a=1&a=2&flag")
	if v, ok := r.Query("a"); !ok || v != "1" {
		t.Errorf("Query(a) = %q, %v", v, ok)
	}
	if v, ok := r.Query("flag"); !ok || v != "" {
		t.Errorf("Query(flag) = %q, %v", v, ok)
	}
	if _, ok := r.Query("missing"); ok {
		t.Error("Query(missing) present")
	}
	r.BodyBytes, r.MaxBody = []byte("0123456789"), 4
	if _, err := r.Body(); !errors.Is(err, plugin.ErrBodyTooLarge) {
		t.Errorf("Body error = %v, want ErrBodyTooLarge", err)
	}
}

func TestContextErrorBody(t *testing.T) {
	ctx := plugintest.NewContext("/")
	ctx.Error(429, "API rate limit exceeded")
	want := `{"message":"API rate limit exceeded","request_id":"0b5a9c2e6f1d4a7b8c9d0e1f2a3b4c5d"}`
	if !ctx.Exited() || ctx.Resp.Code != 429 || string(ctx.Resp.Body) != want {
		t.Errorf("exited=%v status=%d body=%s", ctx.Exited(), ctx.Resp.Code, ctx.Resp.Body)
	}
	ctx.Set("k", 1)
	if ctx.Get("k") != 1 || ctx.Get("other") != nil {
		t.Error("shared values not kept")
	}
}
