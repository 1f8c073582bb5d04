package correlationid

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/plugin"
	"github.com/straitgw/strait/internal/plugin/plugintest"
)

func newHandler(t testing.TB, config entity.Object) *Handler {
	t.Helper()
	p := Plugin{}
	h, err := p.New(plugin.FillDefaults(p.ConfigSchema(), config))
	if err != nil {
		t.Fatal(err)
	}
	return h.(*Handler)
}

func TestDefaults(t *testing.T) {
	p := Plugin{}
	got := plugin.FillDefaults(p.ConfigSchema(), nil)
	want := entity.Object{"header_name": "Kong-Request-ID", "generator": "uuid#counter", "echo_downstream": false}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults = %v, want %v", got, want)
	}
	if p.Priority() != 100001 || p.Name() != "correlation-id" {
		t.Errorf("identity %s %d", p.Name(), p.Priority())
	}
}

var (
	uuidRe    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	counterRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}#([0-9]+)$`)
	trackerRe = regexp.MustCompile(`^localhost-8000-[0-9]+-[0-9]+-1-1735787045\.000$`)
)

func TestAccess(t *testing.T) {
	tests := []struct {
		name     string
		config   entity.Object
		client   []string // client header name, value
		header   string   // header to read upstream and downstream
		want     *regexp.Regexp
		wantEcho bool
	}{
		{name: "uuid#counter default", header: "Kong-Request-ID", want: counterRe},
		{name: "uuid", config: entity.Object{"generator": "uuid"}, header: "Kong-Request-ID", want: uuidRe},
		{name: "tracker", config: entity.Object{"generator": "tracker"}, header: "Kong-Request-ID", want: trackerRe},
		{name: "custom header echoed", config: entity.Object{"header_name": "X-Trace", "generator": "uuid", "echo_downstream": true},
			header: "x-trace", want: uuidRe, wantEcho: true},
		{name: "client value kept", config: entity.Object{"echo_downstream": true}, client: []string{"kong-request-id", "abc-123"},
			header: "Kong-Request-ID", want: regexp.MustCompile(`^abc-123$`), wantEcho: true},
		{name: "empty client value replaced", client: []string{"Kong-Request-ID", ""}, header: "Kong-Request-ID", want: counterRe},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, tc.config)
			ctx := plugintest.NewContext("/")
			if tc.client != nil {
				ctx.Req.Headers.Add(tc.client[0], tc.client[1])
			}
			h.Access(ctx)
			up := ctx.Req.Headers.Values(tc.header)
			if len(up) != 1 || !tc.want.MatchString(up[0]) {
				t.Fatalf("upstream %s = %q, want match of %s", tc.header, up, tc.want)
			}
			if got := ctx.Get(SharedKey); got != up[0] {
				t.Errorf("shared id = %v, want %q", got, up[0])
			}
			h.HeaderFilter(ctx)
			down := ctx.Resp.Headers.Values(tc.header)
			if tc.wantEcho && (len(down) != 1 || down[0] != up[0]) {
				t.Errorf("downstream %s = %q, want %q", tc.header, down, up[0])
			}
			if !tc.wantEcho && len(down) != 0 {
				t.Errorf("downstream %s = %q without echo_downstream", tc.header, down)
			}
		})
	}
}

func TestCounterIncreases(t *testing.T) {
	h := newHandler(t, nil)
	var last uint64
	for i := 0; i < 3; i++ {
		ctx := plugintest.NewContext("/")
		h.Access(ctx)
		id := ctx.Req.Headers.Get("Kong-Request-ID")
		m := counterRe.FindStringSubmatch(id)
		if m == nil || !strings.HasPrefix(id, processUUID+"#") {
			t.Fatalf("id %q", id)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		if n <= last {
			t.Errorf("counter %d after %d", n, last)
		}
		last = n
	}
}

func TestUnknownGenerator(t *testing.T) {
	if _, err := NewHandler(Config{Generator: "nope"}); err == nil {
		t.Error("unknown generator accepted")
	}
}
