package declarative

import (
	"errors"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
)

const fullYAML = `_format_version: "3.0"
_comment: a complete example
services:
- name: svc
  url: http://upstream.test:8080/base
  tags: [team-a]
  routes:
  - name: r1
    paths: [/a]
    plugins:
    - name: key-auth
  - paths: [/nameless]
  plugins:
  - name: rate-limiting
    config: { minute: 10 }
consumers:
- username: alice
  plugins:
  - name: rate-limiting
    config: { minute: 5 }
upstreams:
- name: up
  targets:
  - target: 10.0.0.1:80
    weight: 50
  - target: 10.0.0.2
routes:
- name: r2
  service: svc
  hosts: [b.test]
plugins:
- name: correlation-id
- name: cors
  route: r2
  consumer: alice
`

func TestParseYAMLNestingAndReferences(t *testing.T) {
	reg := entity.Core()
	cfg := mustParse(t, reg, fullYAML)
	if cfg.FormatVersion != "3.0" || !cfg.Transform {
		t.Errorf("format %q transform %v", cfg.FormatVersion, cfg.Transform)
	}
	counts := map[string]int{"services": 1, "routes": 3, "consumers": 1, "plugins": 5, "upstreams": 1, "targets": 2}
	for name, want := range counts {
		if got := len(cfg.Entities[name]); got != want {
			t.Errorf("%s: %d entities, want %d", name, got, want)
		}
	}
	svc := find(t, cfg.Entities, "services", "name", "svc")
	if svc["host"] != "upstream.test" || svc["port"] != float64(8080) || svc["path"] != "/base" || svc["retries"] != float64(5) {
		t.Errorf("service not completed like the Admin API does: %v", svc)
	}
	svcRef := map[string]any{"id": svc["id"]}
	r1 := find(t, cfg.Entities, "routes", "name", "r1")
	r2 := find(t, cfg.Entities, "routes", "name", "r2")
	for _, r := range []entity.Object{r1, r2} {
		if !equalValues(r["service"], svcRef) {
			t.Errorf("route %v: service %v, want %v", r["name"], r["service"], svcRef)
		}
	}
	alice := find(t, cfg.Entities, "consumers", "username", "alice")
	keyAuth := find(t, cfg.Entities, "plugins", "name", "key-auth")
	if !equalValues(keyAuth["route"], map[string]any{"id": r1["id"]}) || keyAuth["service"] != nil {
		t.Errorf("key-auth scoping: %v", keyAuth)
	}
	cors := find(t, cfg.Entities, "plugins", "name", "cors")
	if !equalValues(cors["route"], map[string]any{"id": r2["id"]}) || !equalValues(cors["consumer"], map[string]any{"id": alice["id"]}) {
		t.Errorf("cors references: %v", cors)
	}
	global := find(t, cfg.Entities, "plugins", "name", "correlation-id")
	if global["route"] != nil || global["service"] != nil || global["consumer"] != nil {
		t.Errorf("global plugin is scoped: %v", global)
	}
	up := find(t, cfg.Entities, "upstreams", "name", "up")
	target := find(t, cfg.Entities, "targets", "target", "10.0.0.2:8000")
	if !equalValues(target["upstream"], map[string]any{"id": up["id"]}) || target["weight"] != float64(100) {
		t.Errorf("target: %v", target)
	}
	wantOrder := []string{"consumers", "certificates", "ca_certificates", "services", "upstreams", "snis", "routes", "targets", "plugins"}
	if strings.Join(cfg.Order, ",") != strings.Join(wantOrder, ",") {
		t.Errorf("order %v, want %v", cfg.Order, wantOrder)
	}
}

func TestParseJSONMatchesYAML(t *testing.T) {
	reg := entity.Core()
	yamlText := `_format_version: "3.0"
services:
- name: svc
  host: a.test
  routes:
  - name: r1
    paths: [/a]
`
	jsonText := `{"_format_version":"3.0","services":[{"name":"svc","host":"a.test","routes":[{"name":"r1","paths":["/a"]}]}]}`
	a, b := mustParse(t, reg, yamlText), mustParse(t, reg, jsonText)
	sameEntities(t, a.Entities, b.Entities)
}

func TestDeterministicIDs(t *testing.T) {
	reg := entity.Core()
	first, second := mustParse(t, reg, fullYAML), mustParse(t, reg, fullYAML)
	sameEntities(t, first.Entities, second.Entities)
	svc := find(t, first.Entities, "services", "name", "svc")
	if svc["id"] != deterministicID("services", "svc") {
		t.Errorf("service id %v is not derived from its name", svc["id"])
	}
	// Kong derives the namespace from the entity name under a fixed root.
	if got := deterministicID("services", "svc"); got[14] != '5' {
		t.Errorf("id %s is not a version 5 UUID", got)
	}
	up := find(t, first.Entities, "upstreams", "name", "up")
	target := find(t, first.Entities, "targets", "target", "10.0.0.1:80")
	if target["id"] != deterministicID("targets", "10.0.0.1:80:"+up["id"].(string)) {
		t.Errorf("target id %v does not include its upstream", target["id"])
	}
	keyAuth := find(t, first.Entities, "plugins", "name", "key-auth")
	r1 := find(t, first.Entities, "routes", "name", "r1")
	if keyAuth["id"] != deterministicID("plugins", "plugins:key-auth:"+r1["id"].(string)+"::") {
		t.Errorf("plugin id %v is not derived from its cache key", keyAuth["id"])
	}
	explicit := mustParse(t, reg, `_format_version: "3.0"
services:
- id: 8A5A4F3C-94C9-4A39-B36C-3E3F8C3A2F11
  name: svc
  host: a.test
`)
	if id := explicit.Entities["services"][0]["id"]; id != "8a5a4f3c-94c9-4a39-b36c-3e3f8c3a2f11" {
		t.Errorf("declared id not kept: %v", id)
	}
}

func TestParseAdoptsExistingIDs(t *testing.T) {
	reg := entity.Core()
	existingID := "11111111-2222-4333-8444-555555555555"
	cfg, err := ParseWithOptions([]byte(`_format_version: "3.0"
services:
- name: svc
  host: a.test
  routes:
  - name: r1
    paths: [/a]
`), reg, ParseOptions{Existing: map[string][]entity.Object{"services": {{"id": existingID, "name": "svc"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Entities["services"][0]["id"] != existingID {
		t.Errorf("service id %v, want the existing %s", cfg.Entities["services"][0]["id"], existingID)
	}
	if !equalValues(cfg.Entities["routes"][0]["service"], map[string]any{"id": existingID}) {
		t.Errorf("route does not follow the adopted id: %v", cfg.Entities["routes"][0]["service"])
	}
}

func TestCertificateSNIs(t *testing.T) {
	reg := entity.Core()
	cert, key := testCertificate(t)
	cfg := mustParse(t, reg, `_format_version: "3.0"
certificates:
- cert: |
    `+indent(cert, 4)+`
  key: |
    `+indent(key, 4)+`
  snis:
  - name: b.test
  - name: a.test
`)
	if len(cfg.Entities["snis"]) != 2 || len(cfg.Entities["certificates"]) != 1 {
		t.Fatalf("entities: %v", cfg.Entities)
	}
	c := cfg.Entities["certificates"][0]
	if !equalValues(c["snis"], []any{"a.test", "b.test"}) {
		t.Errorf("certificate snis %v", c["snis"])
	}
	for _, sni := range cfg.Entities["snis"] {
		if !equalValues(sni["certificate"], map[string]any{"id": c["id"]}) {
			t.Errorf("sni %v not linked to its certificate", sni)
		}
	}
}

func TestSelectTagsAreAdded(t *testing.T) {
	reg := entity.Core()
	cfg, err := ParseWithOptions([]byte(`_format_version: "3.0"
services:
- name: svc
  host: a.test
  tags: [own]
`), reg, ParseOptions{SelectTags: []string{"managed"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Entities["services"][0]["tags"]; !equalValues(got, []any{"own", "managed"}) {
		t.Errorf("tags %v", got)
	}
	info := mustParse(t, reg, `_format_version: "3.0"
_info:
  select_tags: [from-info]
consumers:
- username: bob
`)
	if got := info.Entities["consumers"][0]["tags"]; !equalValues(got, []any{"from-info"}) {
		t.Errorf("_info select tags not applied: %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	reg := entity.Core()
	tests := []struct {
		name string
		text string
		// want are substrings of the rendered problems, one per problem.
		want []string
		// kong is the expected message of the code-14 error, when checked.
		kong string
	}{
		{"missing format version", "services: []\n",
			[]string{"_format_version: required field missing"},
			`declarative config is invalid: {_format_version="required field missing"}`},
		{"bad format version", "_format_version: \"9.9\"\n",
			[]string{"_format_version: expected one of: 1.1, 2.1, 3.0"}, ""},
		{"unknown entity type", "_format_version: \"3.0\"\nwidgets: []\n",
			[]string{"line 2: widgets: unknown field"}, ""},
		{"field errors with lines", `_format_version: "3.0"
services:
- name: svc
  host: a.test
  port: 70000
- name: other
`, []string{
			`line 5: services[0] (services "svc"): port: value should be between 0 and 65535`,
			`line 6: services[1] (services "other"): host: required field missing`},
			`declarative config is invalid: {services={{port="value should be between 0 and 65535"},{host="required field missing"}}}`},
		{"nested field error", `_format_version: "3.0"
services:
- name: svc
  host: a.test
  routes:
  - name: r1
    paths: [a]
`, []string{`line 7: services[0].routes[0] (routes "r1"): paths.1: should start with: / (fixed path) or ~/ (regex path)`}, ""},
		{"invalid reference", `_format_version: "3.0"
routes:
- name: r1
  paths: [/a]
  service: nope
`, []string{`line 5: routes[0] (routes "r1"): service: invalid reference 'service: nope' (no such entry in 'services')`},
			`declarative config is invalid: {routes={{service="invalid reference 'service: nope' (no such entry in 'services')"}}}`},
		{"duplicate name", `_format_version: "3.0"
services:
- name: svc
  host: a.test
- name: svc
  host: b.test
`, []string{
			`line 5: services[1] (services "svc"): uniqueness violation: 'services' entity with primary key set to '`,
			`line 5: services[1] (services "svc"): uniqueness violation: 'services' entity with name set to 'svc' already declared`}, ""},
		{"duplicate unique field", `_format_version: "3.0"
consumers:
- username: a
  custom_id: c1
- username: b
  custom_id: c1
`, []string{`consumers[1] (consumers "b"): uniqueness violation: 'consumers' entity with custom_id set to 'c1' already declared`}, ""},
		{"nested foreign key contradicts parent", `_format_version: "3.0"
services:
- name: a
  host: a.test
- name: b
  host: b.test
  routes:
  - name: r
    paths: [/]
    service: a
`, []string{`services[1].routes[0] (routes "r"): service: value must be null`}, ""},
		{"entity is not a record", "_format_version: \"3.0\"\nservices:\n- just a string\n",
			[]string{"line 3: services[0]: expected a record"}, ""},
		{"list is not an array", "_format_version: \"3.0\"\nservices: {}\n",
			[]string{"services: expected an array"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.text), reg)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("error %v (%T), want a ValidationError", err, err)
			}
			if len(verr.Problems) != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", len(verr.Problems), len(tt.want), err)
			}
			text := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("missing %q in:\n%s", w, text)
				}
			}
			kerr := verr.KongError()
			if kerr.Code != entity.CodeInvalidDeclarative || kerr.Name != "invalid declarative configuration" {
				t.Errorf("kong error %+v", kerr)
			}
			if tt.kong != "" && kerr.Message != tt.kong {
				t.Errorf("kong message\n got  %s\n want %s", kerr.Message, tt.kong)
			}
		})
	}
}

func TestParseNotAnObject(t *testing.T) {
	for _, text := range []string{"", "[1,2]", "- a\n- b\n", "just text"} {
		_, err := Parse([]byte(text), entity.Core())
		var perr *ParseError
		if !errors.As(err, &perr) {
			t.Fatalf("%q: error %v, want a ParseError", text, err)
		}
		want := `declarative config is invalid: {error="failed parsing declarative configuration: expected an object"}`
		if got := perr.KongError().Message; got != want {
			t.Errorf("%q: %s", text, got)
		}
	}
	if _, err := Parse([]byte("a: [\n"), entity.Core()); err == nil || !strings.Contains(err.Error(), "failed parsing declarative configuration") {
		t.Errorf("broken YAML: %v", err)
	}
}
