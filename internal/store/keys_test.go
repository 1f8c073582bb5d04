package store

import (
	"reflect"
	"slices"
	"testing"

	"github.com/straitgw/strait/internal/entity"
)

func keysSchema() *entity.Schema {
	return &entity.Schema{Name: "plugins", PrimaryKey: "id",
		UniqueTogether: [][]string{{"name", "route", "service"}, {"instance_name"}},
		Fields: []*entity.Field{
			{Name: "id", Type: entity.TypeString},
			{Name: "instance_name", Type: entity.TypeString, Unique: true},
			{Name: "port", Type: entity.TypeInteger, Unique: true},
			{Name: "name", Type: entity.TypeString},
			{Name: "route", Type: entity.TypeForeign, Reference: "routes"},
			{Name: "service", Type: entity.TypeForeign, Reference: "services"},
		}}
}

func TestUniqueKeys(t *testing.T) {
	s := keysSchema()
	cases := []struct {
		desc string
		obj  entity.Object
		want []UniqueKey
	}{
		{"nulls skipped for single fields, kept in sets",
			entity.Object{"id": "1", "instance_name": nil, "port": nil, "name": "acl", "route": nil,
				"service": map[string]any{"id": "s1"}},
			[]UniqueKey{{Field: "name,route,service", Value: `["acl",null,{"id":"s1"}]`,
				Fields: map[string]any{"name": "acl", "route": nil, "service": map[string]any{"id": "s1"}}}}},
		{"single fields in schema order, foreign reduced to its id",
			entity.Object{"id": "1", "instance_name": "i", "port": 8.0, "name": "acl",
				"route": map[string]any{"id": "r1", "name": "extra"}, "service": nil},
			[]UniqueKey{
				{Field: "instance_name", Value: "i", Fields: map[string]any{"instance_name": "i"}},
				{Field: "port", Value: "8", Fields: map[string]any{"port": 8.0}},
				{Field: "name,route,service", Value: `["acl",{"id":"r1"},null]`,
					Fields: map[string]any{"name": "acl", "route": map[string]any{"id": "r1"}, "service": nil}},
			}},
	}
	for _, c := range cases {
		if got := UniqueKeys(s, c.obj); !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s:\n got %#v\nwant %#v", c.desc, got, c.want)
		}
	}
}

func TestUniqueViolationMessageFromKeys(t *testing.T) {
	obj := entity.Object{"id": "1", "name": "basic-auth", "route": nil, "service": map[string]any{"id": "s"}}
	keys := UniqueKeys(keysSchema(), obj)
	got := entity.UniqueViolation(keys[0].Fields).Message
	want := `UNIQUE violation detected on '{name="basic-auth",route=null,service={id="s"}}'`
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestForeignRefs(t *testing.T) {
	s := keysSchema()
	refs, err := ForeignRefs(s, entity.Object{"route": map[string]any{"id": "r"}, "service": nil})
	if err != nil || !reflect.DeepEqual(refs, []ForeignRef{{Field: "route", Schema: "routes", ID: "r"}}) {
		t.Fatalf("got %+v, %v", refs, err)
	}
	cases := []struct {
		value any
		key   map[string]any
	}{
		{map[string]any{"name": "x"}, map[string]any{"name": "x"}},
		{"r", map[string]any{"id": "r"}},
		{map[string]any{"id": 5.0}, map[string]any{"id": 5.0}},
	}
	for _, c := range cases {
		_, err := ForeignRefs(s, entity.Object{"service": c.value})
		e, ok := err.(*entity.Error)
		if !ok || e.Code != entity.CodeForeignKeyViolation ||
			!reflect.DeepEqual(e.Fields, map[string]any{"service": c.key}) {
			t.Fatalf("value %#v: got %#v", c.value, err)
		}
	}
}

func TestObjectTags(t *testing.T) {
	cases := []struct {
		tags any
		want []string
	}{
		{nil, nil},
		{[]any{"a", "b", "a", 3.0}, []string{"a", "b"}},
		{[]string{"x", "x"}, []string{"x"}},
		{"not a list", nil},
	}
	for _, c := range cases {
		if got := ObjectTags(map[string]any{"tags": c.tags}); !slices.Equal(got, c.want) {
			t.Fatalf("tags %#v: got %v, want %v", c.tags, got, c.want)
		}
	}
	if got := DistinctTags([]string{"b", "a", "b"}); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("DistinctTags: %v", got)
	}
}
