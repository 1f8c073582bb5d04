package storetest

import "github.com/straitgw/strait/internal/entity"

// Schemas are the small entity types the suite stores. They cover every
// constraint shape the real entities use without depending on them:
//
//	parents              unique name and custom_id, tags
//	restrict_children    parent -> parents, restrict (like routes -> services)
//	cascade_children     parent -> parents, cascade, unique key (like credentials)
//	grandchildren        child -> cascade_children, cascade
//	locked_grandchildren child -> cascade_children, restrict
//	scoped               name + nullable parent + nullable child unique together
//	                     (like plugins), both foreign keys cascade
type Schemas struct {
	Parents             *entity.Schema
	RestrictChildren    *entity.Schema
	CascadeChildren     *entity.Schema
	Grandchildren       *entity.Schema
	LockedGrandchildren *entity.Schema
	Scoped              *entity.Schema
	Registry            *entity.Registry
}

// NewSchemas builds the suite's schemas and a registry holding them.
func NewSchemas() *Schemas {
	idField := func() *entity.Field {
		return &entity.Field{Name: "id", Type: entity.TypeString, UUID: true, Auto: true}
	}
	tagsField := func() *entity.Field {
		return &entity.Field{Name: "tags", Type: entity.TypeSet, Elements: &entity.Field{Type: entity.TypeString}}
	}
	foreign := func(name, ref string, rule entity.OnDelete) *entity.Field {
		return &entity.Field{Name: name, Type: entity.TypeForeign, Reference: ref, OnDelete: rule}
	}
	s := &Schemas{}
	s.Parents = &entity.Schema{Name: "parents", AdminPath: "parents", PrimaryKey: "id", EndpointKey: "name",
		Fields: []*entity.Field{
			idField(),
			{Name: "name", Type: entity.TypeString, Unique: true},
			{Name: "custom_id", Type: entity.TypeString, Unique: true},
			{Name: "port", Type: entity.TypeInteger},
			tagsField(),
		}}
	s.RestrictChildren = &entity.Schema{Name: "restrict_children", AdminPath: "restrict-children", PrimaryKey: "id",
		Fields: []*entity.Field{
			idField(),
			{Name: "name", Type: entity.TypeString},
			foreign("parent", "parents", entity.Restrict),
			tagsField(),
		}}
	s.CascadeChildren = &entity.Schema{Name: "cascade_children", AdminPath: "cascade-children", PrimaryKey: "id",
		EndpointKey: "key",
		Fields: []*entity.Field{
			idField(),
			{Name: "key", Type: entity.TypeString, Unique: true},
			foreign("parent", "parents", entity.Cascade),
		}}
	s.Grandchildren = &entity.Schema{Name: "grandchildren", AdminPath: "grandchildren", PrimaryKey: "id",
		Fields: []*entity.Field{idField(), foreign("child", "cascade_children", entity.Cascade)}}
	s.LockedGrandchildren = &entity.Schema{Name: "locked_grandchildren", AdminPath: "locked-grandchildren",
		PrimaryKey: "id",
		Fields:     []*entity.Field{idField(), foreign("child", "cascade_children", entity.Restrict)}}
	s.Scoped = &entity.Schema{Name: "scoped", AdminPath: "scoped", PrimaryKey: "id",
		UniqueTogether: [][]string{{"name", "parent", "child"}},
		Fields: []*entity.Field{
			idField(),
			{Name: "name", Type: entity.TypeString, Required: true},
			foreign("parent", "parents", entity.Cascade),
			foreign("child", "cascade_children", entity.Cascade),
			tagsField(),
		}}
	s.Registry = entity.NewRegistry(s.Parents, s.RestrictChildren, s.CascadeChildren, s.Grandchildren,
		s.LockedGrandchildren, s.Scoped)
	return s
}
