package entity

import "strings"

// runChecks evaluates record or entity checks over obj (always a complete
// object) and adds their failures to errs. Checks other than the
// at-least-one, exactly-one, distinct and conditional kinds are skipped
// when one of their fields already failed validation.
func runChecks(checks []EntityCheck, obj, errs map[string]any, op Operation) {
	for _, c := range checks {
		if !checkApplies(c, obj, errs) {
			continue
		}
		if msg := standardCheck(c, obj, op); msg != "" {
			addEntityError(errs, msg)
			continue
		}
		if c.Custom == nil {
			continue
		}
		out := c.Custom(obj, op)
		if c.Kind == CheckConditional {
			// A conditional failure replaces any earlier error of its
			// field; its key may be a dotted path into records.
			for k, v := range out {
				if k != entityKey {
					setFieldError(errs, k, v)
				}
			}
			for _, m := range entityMessages(out[entityKey]) {
				addEntityError(errs, m)
			}
			continue
		}
		mergeErrors(errs, out)
	}
}

func checkApplies(c EntityCheck, obj, errs map[string]any) bool {
	switch c.Kind {
	case CheckAtLeastOneOf, CheckAtLeastOneOfC, CheckExactlyOneOf, CheckDistinct, CheckConditional:
		// These run even when their fields failed validation.
		return true
	}
	for _, f := range c.Fields {
		if fieldValue(errs, f) != nil {
			return false
		}
	}
	return true
}

// standardCheck evaluates the declarative check kinds and returns the
// entity-level message of a failure, or "".
func standardCheck(c EntityCheck, obj map[string]any, op Operation) string {
	set := 0
	for _, f := range c.Fields {
		if !isEmpty(fieldValue(obj, f)) {
			set++
		}
	}
	var failed bool
	var format string
	switch c.Kind {
	case CheckAtLeastOneOf:
		failed, format = set == 0, "at least one of these fields must be non-empty: "
	case CheckExactlyOneOf:
		failed, format = set != 1, "exactly one of these fields must be non-empty: "
	case CheckMutuallyExcl:
		failed, format = set > 1, "only one or none of these fields must be set: "
	case CheckAllOrNone:
		failed, format = set != 0 && set != len(c.Fields), "all or none of these fields must be set: "
	case CheckDistinct:
		failed, format = !distinct(c.Fields, obj), "values of these fields must be distinct: "
	default:
		return ""
	}
	if !failed {
		return ""
	}
	if c.Message != "" {
		return c.Message
	}
	msg := format + quoteList(c.Fields)
	if op == OpUpdate && c.Kind == CheckAtLeastOneOf {
		msg = "when updating, " + msg
	}
	return msg
}

// fieldValue returns the value at name inside obj, where name is a field
// name or a dotted path through nested records; nil when absent.
func fieldValue(obj map[string]any, name string) any {
	for {
		head, rest, nested := strings.Cut(name, ".")
		if !nested {
			return obj[head]
		}
		v := obj[head]
		sub, ok := v.(map[string]any)
		if !ok {
			// A record that failed as a whole (a message in an error
			// tree) stands for its sub-fields.
			if _, isMsg := v.(string); isMsg {
				return v
			}
			return nil
		}
		obj, name = sub, rest
	}
}

// setFieldError sets the error at name (a field name or dotted path) in
// an error tree, creating the intermediate records; a record already
// failing as a whole keeps its message.
func setFieldError(errs map[string]any, name string, v any) {
	for {
		head, rest, nested := strings.Cut(name, ".")
		if !nested {
			errs[head] = v
			return
		}
		sub, ok := errs[head].(map[string]any)
		if !ok {
			if errs[head] != nil {
				return
			}
			sub = map[string]any{}
			errs[head] = sub
		}
		errs, name = sub, rest
	}
}

func distinct(fields []string, obj map[string]any) bool {
	for i, a := range fields {
		for _, b := range fields[i+1:] {
			if va := fieldValue(obj, a); va != nil && sameValue(va, fieldValue(obj, b)) {
				return false
			}
		}
	}
	return true
}

func quoteList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "'" + n + "'"
	}
	return strings.Join(parts, ", ")
}

// ConditionalCheck builds Kong's "conditional" entity check: when the value
// at ifField is set and ifMatch accepts it, thenMatch must accept the value
// at thenField (returning "" or the field's message). Both are field names
// or dotted paths into records ("config.maximum_expiration"), so plugins
// can declare it over their config. A failure reports the field message
// at thenField and the entity message "failed conditional validation
// given value of field '<ifField>'". advertised is the check's argument as
// /schemas shows it.
func ConditionalCheck(ifField string, ifMatch func(any) bool, thenField string, thenMatch func(any) string,
	advertised map[string]any) EntityCheck {
	return conditionalCheck(ifField, ifMatch, thenField, thenMatch, "", advertised)
}

// MatchRequired is the then-match of a conditional check requiring its
// field to be set.
func MatchRequired(v any) string { return mustBeSet(v) }

// conditionalCheck builds Kong's "conditional" check: when ifField is set
// and matches ifMatch, thenField must pass thenMatch. A failure reports the
// field message plus the entity message "failed conditional validation
// given value of field '<ifField>'", or customMsg instead when given.
func conditionalCheck(ifField string, ifMatch func(any) bool, thenField string, thenMatch func(any) string,
	customMsg string, advertised map[string]any) EntityCheck {
	return EntityCheck{
		Kind:   CheckConditional,
		Fields: []string{ifField, thenField},
		JSON:   map[string]any{CheckConditional: advertised},
		Custom: func(obj Object, _ Operation) map[string]any {
			iv := fieldValue(obj, ifField)
			if iv == nil || !ifMatch(iv) {
				return nil
			}
			msg := thenMatch(fieldValue(obj, thenField))
			if msg == "" {
				return nil
			}
			entityMsg := "failed conditional validation given value of field '" + ifField + "'"
			if customMsg != "" {
				entityMsg = customMsg
			}
			return map[string]any{thenField: msg, entityKey: []any{entityMsg}}
		},
	}
}

// mustBeNull is the "eq = null" then-match.
func mustBeNull(v any) string {
	if v != nil {
		return "value must be null"
	}
	return ""
}

// mustBeSet is the "required = true" then-match.
func mustBeSet(v any) string {
	if v == nil {
		return msgRequired
	}
	return ""
}

// valueIn returns a matcher for string values in list.
func valueIn(list ...string) func(any) bool {
	return func(v any) bool {
		s, _ := v.(string)
		for _, e := range list {
			if s == e {
				return true
			}
		}
		return false
	}
}

// valueNotIn returns a matcher for string values outside list.
func valueNotIn(list ...string) func(any) bool {
	in := valueIn(list...)
	return func(v any) bool { return !in(v) }
}

func stringsToAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
