package declarative

import (
	"context"
	"strings"
	"testing"

	"github.com/straitgw/strait/internal/entity"
	"github.com/straitgw/strait/internal/store"
)

// syncFile parses text against the store's current entities, applies the
// diff and returns the changes it made.
func syncFile(t *testing.T, st store.Store, reg *entity.Registry, text string, tags ...string) []Change {
	t.Helper()
	ctx := context.Background()
	current, err := ReadStore(ctx, st, reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseWithOptions([]byte(text), reg, ParseOptions{SelectTags: tags, Existing: current})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	changes := Diff(reg, current, cfg.Entities, DiffOptions{SelectTags: tags})
	if err := ApplyToStore(ctx, st, changes); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return changes
}

func summary(changes []Change) string {
	parts := make([]string, len(changes))
	for i, c := range changes {
		parts[i] = string(c.Op) + " " + c.Schema.Name
	}
	return strings.Join(parts, ", ")
}

func TestSyncIsIdempotent(t *testing.T) {
	reg := entity.Core()
	st := openStore(t, reg)
	first := syncFile(t, st, reg, fullYAML)
	if len(first) != 13 {
		t.Errorf("first sync made %d changes, want 13: %s", len(first), summary(first))
	}
	for _, c := range first {
		if c.Op != OpCreate {
			t.Errorf("first sync: unexpected %s", c)
		}
	}
	if again := syncFile(t, st, reg, fullYAML); len(again) != 0 {
		t.Errorf("second sync is not a no-op: %s", summary(again))
	}
}

func TestDiffOrderAndUpdates(t *testing.T) {
	reg := entity.Core()
	st := openStore(t, reg)
	syncFile(t, st, reg, fullYAML)
	changed := `_format_version: "3.0"
services:
- name: svc
  url: http://upstream.test:8080/base
  tags: [team-a]
  routes:
  - name: r1
    paths: [/changed]
consumers:
- username: alice
`
	ctx := context.Background()
	current, err := ReadStore(ctx, st, reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseWithOptions([]byte(changed), reg, ParseOptions{Existing: current})
	if err != nil {
		t.Fatal(err)
	}
	changes := Diff(reg, current, cfg.Entities, DiffOptions{})
	want := "delete plugins, delete plugins, delete plugins, delete plugins, delete plugins, " +
		"delete targets, delete targets, delete routes, delete routes, delete upstreams, update routes"
	if got := summary(changes); got != want {
		t.Fatalf("changes:\n got  %s\n want %s", got, want)
	}
	update := changes[len(changes)-1]
	if fc := update.FieldChanges(); len(fc) != 1 || fc[0] != `paths: ["/a"] -> ["/changed"]` {
		t.Errorf("field changes %v", fc)
	}
	if update.New["created_at"] != update.Old["created_at"] {
		t.Errorf("update does not keep created_at: %v vs %v", update.New["created_at"], update.Old["created_at"])
	}
	if err := ApplyToStore(ctx, st, changes); err != nil {
		t.Fatal(err)
	}
	if again := syncFile(t, st, reg, changed); len(again) != 0 {
		t.Errorf("diff after apply is not empty: %s", summary(again))
	}
}

func TestApplyIsAllOrNothing(t *testing.T) {
	reg := entity.Core()
	st := openStore(t, reg)
	ctx := context.Background()
	// An entity created outside the file holds the name the file wants
	// for another id: the store refuses, and nothing of the sync remains.
	if err := st.Insert(ctx, entity.Services, mustProcess(t, entity.Services, entity.Object{
		"name": "taken", "host": "x.test", "tags": []any{"other"}})); err != nil {
		t.Fatal(err)
	}
	cfg := mustParse(t, reg, `_format_version: "3.0"
consumers:
- username: first
services:
- id: 8a5a4f3c-94c9-4a39-b36c-3e3f8c3a2f11
  name: taken
  host: a.test
`)
	current, _ := ReadStore(ctx, st, reg)
	changes := Diff(reg, current, cfg.Entities, DiffOptions{SelectTags: []string{"managed"}})
	if err := ApplyToStore(ctx, st, changes); err == nil {
		t.Fatal("apply succeeded despite the name clash")
	}
	after, _ := ReadStore(ctx, st, reg)
	if len(after["consumers"]) != 0 || len(after["services"]) != 1 {
		t.Errorf("failed apply left changes behind: %v", after)
	}
}

func TestSelectTagsLeaveOthersAlone(t *testing.T) {
	reg := entity.Core()
	st := openStore(t, reg)
	ctx := context.Background()
	for _, name := range []string{"manual", "other-team"} {
		obj := mustProcess(t, entity.Services, entity.Object{"name": name, "host": "x.test"})
		if err := st.Insert(ctx, entity.Services, obj); err != nil {
			t.Fatal(err)
		}
	}
	file := `_format_version: "3.0"
services:
- name: mine
  host: a.test
`
	changes := syncFile(t, st, reg, file, "managed")
	if summary(changes) != "create services" {
		t.Errorf("changes %s", summary(changes))
	}
	after, _ := ReadStore(ctx, st, reg)
	if len(after["services"]) != 3 {
		t.Fatalf("services after sync: %v", after["services"])
	}
	mine := find(t, after, "services", "name", "mine")
	if !equalValues(mine["tags"], []any{"managed"}) {
		t.Errorf("select tag not stamped: %v", mine["tags"])
	}
	// Emptying the managed set deletes only the tagged service.
	changes = syncFile(t, st, reg, `_format_version: "3.0"`+"\n", "managed")
	if summary(changes) != "delete services" || changes[0].ID != mine["id"] {
		t.Errorf("changes %s", summary(changes))
	}
	after, _ = ReadStore(ctx, st, reg)
	if len(after["services"]) != 2 {
		t.Errorf("untagged services touched: %v", after["services"])
	}
}

func TestDumpRoundTrip(t *testing.T) {
	reg := entity.Core()
	cert, key := testCertificate(t)
	text := fullYAML + `certificates:
- cert: |
    ` + indent(cert, 4) + `
  key: |
    ` + indent(key, 4) + `
  snis:
  - name: a.test
`
	st := openStore(t, reg)
	syncFile(t, st, reg, text)
	ctx := context.Background()
	stored, err := ReadStore(ctx, st, reg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Dump(reg, stored, DumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dumped := string(out)
	for _, want := range []string{"_format_version: \"3.0\"\n", "services:\n  - ", "    routes:\n", "        plugins:\n",
		"    targets:\n", "    snis:\n", "route: r2\n", "consumer: alice\n", "cert: |\n"} {
		if !strings.Contains(dumped, want) {
			t.Errorf("dump lacks %q:\n%s", want, dumped)
		}
	}
	back, err := Parse(out, reg)
	if err != nil {
		t.Fatalf("parsing the dump: %v\n%s", err, dumped)
	}
	sameEntities(t, back.Entities, stored)
	if changes := Diff(reg, stored, back.Entities, DiffOptions{}); len(changes) != 0 {
		t.Errorf("dump does not round-trip: %s", summary(changes))
	}
	// Without ids and timestamps the file still parses to the same content.
	minimal, err := Dump(reg, stored, DumpOptions{OmitIDs: true, OmitTimestamps: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(minimal), "created_at") {
		t.Errorf("timestamps kept:\n%s", minimal)
	}
	again, err := ParseWithOptions(minimal, reg, ParseOptions{Existing: stored})
	if err != nil {
		t.Fatalf("parsing the minimal dump: %v\n%s", err, minimal)
	}
	if changes := Diff(reg, stored, again.Entities, DiffOptions{}); len(changes) != 0 {
		t.Errorf("minimal dump does not round-trip: %s", summary(changes))
	}
}

func TestDumpQuotesAmbiguousStrings(t *testing.T) {
	reg := entity.Core()
	cfg := mustParse(t, reg, `_format_version: "3.0"
consumers:
- username: "true"
  custom_id: "0123"
  tags: ["1.5", "null"]
`)
	out, err := Dump(reg, cfg.Entities, DumpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	back := mustParse(t, reg, string(out))
	sameEntities(t, back.Entities, cfg.Entities)
}

func mustProcess(t *testing.T, s *entity.Schema, in entity.Object) entity.Object {
	t.Helper()
	obj, err := s.Process(in, entity.OpInsert, nil)
	if err != nil {
		t.Fatal(err.Message)
	}
	return obj
}
