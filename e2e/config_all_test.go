package e2e

import (
	"strings"
	"testing"
)

// TestConfigEveryEntityTypeHasNoDrift syncs a file holding every entity
// type and every bundled plugin, then checks that diff finds nothing, that
// a second sync changes nothing, and that dump → sync is stable too.
func TestConfigEveryEntityTypeHasNoDrift(t *testing.T) {
	up := echoUpstream(t)
	n := startNode(t)
	dir := t.TempDir()
	target := []string{"--admin-url", n.adminURL}
	cert, key := selfSigned(t, "api.example.test", false)
	caCert, _ := selfSigned(t, "Example CA", true)

	file := writeFile(t, dir, "kong.yml", `_format_version: "3.0"
services:
- name: api
  url: `+up.URL+`/v1
  retries: 2
  tags: [team-a]
  plugins:
  - name: rate-limiting
    config: {minute: 100, policy: local}
  - name: cors
  routes:
  - name: api-route
    paths: [/api, "~/items/\\d+$"]
    methods: [GET, POST]
    hosts: [api.example.test, "*.example.test"]
    headers:
      x-team: [a]
    strip_path: true
    plugins:
    - name: key-auth
    - name: acl
      config: {allow: [admins]}
    - name: request-transformer
      config: {add: {headers: ["x-added:1"]}}
- name: other
  host: other.example.test
  port: 8080
  protocol: http
  routes:
  - name: other-route
    paths: [/other]
    plugins:
    - name: jwt
    - name: hmac-auth
    - name: basic-auth
    - name: ip-restriction
      config: {allow: [127.0.0.1]}
    - name: request-size-limiting
    - name: response-transformer
      config: {add: {headers: ["x-out:1"]}}
    - name: request-termination
      config: {status_code: 418}
consumers:
- username: alice
  custom_id: a-1
  keyauth_credentials:
  - key: alice-key
  basicauth_credentials:
  - username: alice
    password: s3cret
  jwt_secrets:
  - key: alice-iss
    secret: alice-jwt-secret
  hmacauth_credentials:
  - username: alice-hmac
    secret: alice-hmac-secret
  acls:
  - group: admins
  plugins:
  - name: rate-limiting
    config: {minute: 10}
upstreams:
- name: backend
  algorithm: round-robin
  targets:
  - target: 127.0.0.1:9001
    weight: 50
  - target: 127.0.0.1:9002
certificates:
- cert: |
`+indent(cert, 4)+`
  key: |
`+indent(key, 4)+`
  snis:
  - name: api.example.test
ca_certificates:
- cert: |
`+indent(caCert, 4)+`
plugins:
- name: correlation-id
- name: prometheus
- name: file-log
  config: {path: `+dir+`/file.log}
- name: http-log
  config: {http_endpoint: "http://127.0.0.1:9/logs"}
- name: tcp-log
  config: {host: 127.0.0.1, port: 9}
- name: udp-log
  config: {host: 127.0.0.1, port: 9}
- name: syslog
`)
	mustStrait(t, 0, "config", "validate", file)
	out := mustStrait(t, 0, append([]string{"config", "sync", file}, target...)...)
	if !strings.Contains(out, "updated 0, deleted 0") {
		t.Errorf("first sync:\n%s", out)
	}
	noDrift := func(what string) {
		t.Helper()
		out, stderr, code := runStrait(t, append([]string{"config", "diff", file}, target...)...)
		if code != 0 || !strings.Contains(out, "Summary: 0 to create, 0 to update, 0 to delete") {
			t.Fatalf("diff %s: exit %d\n%s\n%s", what, code, out, stderr)
		}
	}
	noDrift("after the first sync")
	out = mustStrait(t, 0, append([]string{"config", "sync", file}, target...)...)
	if !strings.Contains(out, "created 0, updated 0, deleted 0") {
		t.Errorf("second sync changed something:\n%s", out)
	}
	noDrift("after the second sync")

	// A dump of the gateway, synced back, changes nothing either.
	dumped := mustStrait(t, 0, append([]string{"config", "dump"}, target...)...)
	dumpFile := writeFile(t, dir, "dump.yml", dumped)
	out = mustStrait(t, 0, append([]string{"config", "sync", dumpFile}, target...)...)
	if !strings.Contains(out, "created 0, updated 0, deleted 0") {
		t.Errorf("sync of the dump changed something:\n%s", out)
	}
	noDrift("after syncing the dump")
}
