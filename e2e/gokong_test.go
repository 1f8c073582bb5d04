package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kong/go-kong/kong"
)

func kongClient(t *testing.T, n *node) *kong.Client {
	t.Helper()
	c, err := kong.NewClient(kong.String(n.adminURL), &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGoKongServicesAndRoutes drives the Admin API through go-kong, Kong's
// own Go client, and proxies through what it created.
func TestGoKongServicesAndRoutes(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	c := kongClient(t, n)
	ctx := ctx(t)

	root, err := c.Root(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := root["version"].(string); v != "3.9.1" {
		t.Errorf("version = %v", root["version"])
	}
	info, err := c.Info.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Configuration == nil || info.Configuration.Database != "sqlite" {
		t.Errorf("info.configuration = %+v", info.Configuration)
	}
	if _, err := c.Status(ctx); err != nil {
		t.Fatalf("status: %v", err)
	}

	svc, err := c.Services.Create(ctx, &kong.Service{Name: kong.String("orders"), URL: kong.String(up.URL + "/v1"), Tags: kong.StringSlice("team-a")})
	if err != nil {
		t.Fatal(err)
	}
	if *svc.Protocol != "http" || *svc.Path != "/v1" || *svc.Retries != 5 || *svc.ConnectTimeout != 60000 {
		t.Errorf("created service has wrong defaults: %+v", svc)
	}
	route, err := c.Routes.CreateInService(ctx, svc.ID, &kong.Route{Name: kong.String("orders-r"), Paths: kong.StringSlice("/orders"), Tags: kong.StringSlice("team-a")})
	if err != nil {
		t.Fatal(err)
	}
	if !*route.StripPath || *route.HTTPSRedirectStatusCode != 426 || *route.PathHandling != "v0" || len(route.Protocols) != 2 {
		t.Errorf("created route has wrong defaults: %+v", route)
	}
	got, err := c.Services.GetForRoute(ctx, route.ID)
	if err != nil || *got.ID != *svc.ID {
		t.Errorf("service for route = %v, %v", got, err)
	}

	// Duplicate names conflict, and the error names the key.
	_, err = c.Services.Create(ctx, &kong.Service{Name: kong.String("orders"), URL: kong.String(up.URL)})
	var apiErr *kong.APIError
	if !asAPIError(err, &apiErr) || apiErr.Code() != 409 {
		t.Fatalf("duplicate create error = %v", err)
	}
	// go-kong quotes the server's message in its error text.
	if want := strconv.Quote(`UNIQUE violation detected on '{name="orders"}'`); !strings.Contains(err.Error(), want) {
		t.Errorf("duplicate create error = %v, want the message %s", err, want)
	}

	// Update through PATCH, then the proxy follows the new path.
	svc.Path = kong.String("/v2")
	if _, err := c.Services.Update(ctx, svc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the service update to reach the proxy", func() bool {
		res := n.get("/orders/list")
		if res.StatusCode != 200 {
			res.Body.Close()
			return false
		}
		return readEcho(t, res).URI == "/v2/list"
	})

	// Pagination: go-kong's ListAll with many services walks every page.
	for i := 0; i < 25; i++ {
		if _, err := c.Services.Create(ctx, &kong.Service{Name: kong.String("bulk-" + string(rune('a'+i))), Host: kong.String("example.test")}); err != nil {
			t.Fatal(err)
		}
	}
	page, next, err := c.Services.List(ctx, &kong.ListOpt{Size: 10})
	if err != nil || len(page) != 10 || next == nil {
		t.Fatalf("first page: %d items, next %v, err %v", len(page), next, err)
	}
	all, err := c.Services.ListAll(ctx)
	if err != nil || len(all) != 26 {
		t.Fatalf("ListAll = %d services, err %v", len(all), err)
	}
	tagged, _, err := c.Services.List(ctx, &kong.ListOpt{Tags: kong.StringSlice("team-a")})
	if err != nil || len(tagged) != 1 {
		t.Errorf("tag filter = %d, err %v", len(tagged), err)
	}
	routes, _, err := c.Routes.ListForService(ctx, svc.Name, nil)
	if err != nil || len(routes) != 1 {
		t.Errorf("routes of service = %d, err %v", len(routes), err)
	}

	// Validation errors come back with Kong's message.
	valid, msg, err := c.Routes.Validate(ctx, &kong.Route{Paths: kong.StringSlice("~/(unclosed")})
	if err != nil || valid || !strings.Contains(msg, "invalid regex") {
		t.Errorf("validate = %v %q %v", valid, msg, err)
	}

	// Schema defaults fill a bare entity exactly like the server does.
	schema, err := c.Schemas.Get(ctx, "services")
	if err != nil {
		t.Fatal(err)
	}
	bare := &kong.Service{Host: kong.String("x.test")}
	if err := kong.FillEntityDefaults(bare, schema); err != nil {
		t.Fatal(err)
	}
	if *bare.Port != 80 || *bare.Protocol != "http" || *bare.ReadTimeout != 60000 {
		t.Errorf("defaults from /schemas/services = %+v", bare)
	}

	// A service referenced by a route cannot be deleted; the route can.
	if err := c.Services.Delete(ctx, svc.ID); err == nil {
		t.Error("deleting a service with routes succeeded")
	}
	if err := c.Routes.Delete(ctx, route.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Services.Delete(ctx, svc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Services.Get(ctx, svc.ID); !kong.IsNotFoundErr(err) {
		t.Errorf("get after delete: %v", err)
	}
}

func asAPIError(err error, target **kong.APIError) bool {
	e, ok := err.(*kong.APIError)
	if ok {
		*target = e
	}
	return ok
}
