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
			// A conditional failure replaces any earlier error of its field.
			for k, v := range out {
				if k != entityKey {
					errs[k] = v
				}
			}
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
		if _, failed := errs[f]; failed {
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
		if !isEmpty(obj[f]) {
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

func distinct(fields []string, obj map[string]any) bool {
	for i, a := range fields {
		for _, b := range fields[i+1:] {
			if obj[a] != nil && sameValue(obj[a], obj[b]) {
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
			iv := obj[ifField]
			if iv == nil || !ifMatch(iv) {
				return nil
			}
			msg := thenMatch(obj[thenField])
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
