package entity

import (
	"testing"
)

func TestServiceURLShorthand(t *testing.T) {
	tests := []struct {
		url      string
		protocol string
		host     string
		port     float64
		path     any
	}{
		{"http://httpbin.test/anything", "http", "httpbin.test", 80, "/anything"},
		{"https://svc.test/", "https", "svc.test", 443, "/"},
		{"http://example.test:443", "http", "example.test", 443, nil},
		{"https://example2.test:80/", "https", "example2.test", 80, "/"},
		{"http://a.test", "http", "a.test", 80, nil},
		{"grpc://a.test:50051", "grpc", "a.test", 50051, nil},
		{"http://u:p@a.test:8080/p?q=1#f", "http", "a.test", 8080, "/p"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			out := mustProcess(t, Services, `{"url":"`+tt.url+`"}`, OpInsert, nil)
			if out["protocol"] != tt.protocol || out["host"] != tt.host || out["port"] != tt.port || out["path"] != tt.path {
				t.Errorf("got %v %v %v %v", out["protocol"], out["host"], out["port"], out["path"])
			}
			if _, has := out["url"]; has {
				t.Error("url must not be stored")
			}
		})
	}
}

func TestServiceErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"invalid url", `{"url":"invalid url"}`, "2 schema violations (host: required field missing; path: should start with: /)"},
		{"empty url", `{"url":""}`, "2 schema violations (host: required field missing; url: length must be at least 1)"},
		{"missing host", `{}`, "schema violation (host: required field missing)"},
		{"string port", `{"host":"a.test","port":"80"}`, "schema violation (port: expected an integer)"},
		{"fractional port", `{"host":"a.test","port":2.5}`, "schema violation (port: expected an integer)"},
		{"port range", `{"host":"a.test","port":70000}`, "schema violation (port: value should be between 0 and 65535)"},
		{"unknown field", `{"host":"a.test","foo":1}`, "schema violation (foo: unknown field)"},
		{"empty name", `{"host":"a.test","name":""}`, "schema violation (name: length must be at least 1)"},
		{"bad name", `{"host":"a.test","name":"a b"}`,
			"schema violation (name: invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~)"},
		{"host with port", `{"host":"a.test:80"}`, "schema violation (host: must not have a port)"},
		{"bad host", `{"host":"a b"}`, "schema violation (host: invalid value: a b)"},
		{"bad id", `{"host":"a.test","id":"x"}`, "schema violation (id: expected a valid UUID)"},
		{"timeout range", `{"host":"a.test","read_timeout":0}`, "schema violation (read_timeout: value should be between 1 and 2147483646)"},
		{"retries range", `{"host":"a.test","retries":32768}`, "schema violation (retries: value should be between 0 and 32767)"},
		{"path empty segments", `{"host":"a.test","path":"/a//b"}`, "schema violation (path: must not have empty segments)"},
		{"path percent", `{"host":"a.test","path":"/a%zz"}`, "schema violation (path: invalid url-encoded value: '%zz')"},
		{"bad tag", `{"host":"a.test","tags":["a,b"]}`,
			"schema violation (tags.1: invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences)"},
		{"tcp forbids path", `{"host":"a.test","protocol":"tcp","path":"/x"}`,
			"2 schema violations (failed conditional validation given value of field 'protocol'; path: value must be null)"},
		{"http forbids tls_verify", `{"host":"a.test","tls_verify":true}`,
			"2 schema violations (failed conditional validation given value of field 'protocol'; tls_verify: value must be null)"},
		{"bad ca element", `{"host":"a.test","protocol":"https","ca_certificates":["x"]}`,
			"schema violation (ca_certificates.1: expected a valid UUID)"},
		{"bare string foreign", `{"host":"a.test","protocol":"https","client_certificate":"` + testUUID + `"}`,
			"schema violation (client_certificate.id: missing primary key)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := processErr(t, Services, tt.in, OpInsert, nil); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestServiceInsertShape(t *testing.T) {
	out := mustProcess(t, Services, `{"name":"svc","url":"http://httpbin.test/anything","tags":["a","b","a"]}`, OpInsert, nil)
	want := setOf("id", "created_at", "updated_at", "name", "retries", "protocol", "host", "port", "path",
		"connect_timeout", "write_timeout", "read_timeout", "tags", "client_certificate", "tls_verify",
		"tls_verify_depth", "ca_certificates", "enabled")
	if !jsonEqual(fieldNames(out), want) {
		t.Errorf("fields = %v", fieldNames(out))
	}
	if !IsUUID(out["id"].(string)) {
		t.Errorf("id = %v", out["id"])
	}
	if !jsonEqual(out["tags"], []any{"a", "b"}) {
		t.Errorf("tags not de-duplicated: %v", out["tags"])
	}
	if out["retries"] != float64(5) || out["connect_timeout"] != float64(60000) || out["enabled"] != true {
		t.Errorf("defaults wrong: %v", out)
	}
	if _, ok := out["created_at"].(float64); !ok || out["created_at"] != out["updated_at"] {
		t.Errorf("timestamps: %v %v", out["created_at"], out["updated_at"])
	}
}

func TestServiceKeepsGivenIDAndCreatedAt(t *testing.T) {
	out := mustProcess(t, Services, `{"id":"`+testUUID+`","created_at":1000,"host":"a.test"}`, OpUpsert, nil)
	if out["id"] != testUUID || out["created_at"] != float64(1000) {
		t.Errorf("got id %v created_at %v", out["id"], out["created_at"])
	}
	if out["updated_at"] == float64(1000) {
		t.Error("updated_at must be now")
	}
}

func TestServicePatch(t *testing.T) {
	existing := mustProcess(t, Services, `{"name":"svc","url":"https://a.test:8443/base","retries":3}`, OpInsert, nil)
	tests := []struct {
		name  string
		patch string
		check func(Object) bool
	}{
		{"keeps other fields", `{"retries":7}`, func(o Object) bool {
			return o["retries"] == float64(7) && o["path"] == "/base" && o["port"] == float64(8443) && o["name"] == "svc"
		}},
		{"url without path clears path", `{"url":"http://b.test"}`, func(o Object) bool {
			return o["path"] == nil && o["host"] == "b.test" && o["protocol"] == "http" && o["port"] == float64(80)
		}},
		{"null clears", `{"name":null}`, func(o Object) bool { return o["name"] == nil }},
		{"keeps id and created_at", `{"host":"c.test"}`, func(o Object) bool {
			return o["id"] == existing["id"] && o["created_at"] == existing["created_at"]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustProcess(t, Services, tt.patch, OpUpdate, existing)
			if !tt.check(out) {
				t.Errorf("unexpected result %v", out)
			}
		})
	}
	if existing["retries"] != float64(3) {
		t.Error("Process modified the existing object")
	}
	if got := processErr(t, Services, `{"protocol":"tcp"}`, OpUpdate, existing); got !=
		"2 schema violations (failed conditional validation given value of field 'protocol'; path: value must be null)" {
		t.Errorf("merged validation: %q", got)
	}
}

func TestValidateEndpointKey(t *testing.T) {
	tests := []struct {
		schema *Schema
		value  string
		name   string
		msg    string
	}{
		{Services, "a b", "invalid unique name",
			"invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"},
		{Services, "svc", "", ""},
		{Services, "円", "", ""},
		{Upstreams, "1.2.3.4", "invalid unique name", "Invalid name ('1.2.3.4'); no ip addresses allowed"},
		{Consumers, "anything goes", "", ""},
		{CACertificates, "whatever", "", ""},
	}
	for _, tt := range tests {
		err := ValidateEndpointKey(tt.schema, tt.value)
		if tt.msg == "" {
			if err != nil {
				t.Errorf("%s %q: unexpected error %v", tt.schema.Name, tt.value, err.Message)
			}
			continue
		}
		if err == nil || err.Code != CodeInvalidUnique || err.Name != tt.name || err.Message != tt.msg {
			t.Errorf("%s %q: got %+v", tt.schema.Name, tt.value, err)
			continue
		}
		if fields := err.Fields.(map[string]any); fields[tt.schema.EndpointKey] != tt.msg {
			t.Errorf("fields = %v", fields)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := Services.Validate(obj(t, `{"host":"a.test"}`)); err != nil {
		t.Errorf("valid service: %v", err.Message)
	}
	err := Plugins.Validate(obj(t, `{}`))
	if err == nil || err.Message != "schema violation (name: required field missing)" {
		t.Errorf("plugin validate: %+v", err)
	}
	err = Routes.Validate(obj(t, `{"paths":["/"],"service":{"id":"nope"}}`))
	if err == nil || err.Message != "schema violation (service.id: expected a valid UUID)" {
		t.Errorf("foreign id: %+v", err)
	}
}
