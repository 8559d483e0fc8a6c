package partnergraph

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// CheckInput validates and normalises a create (create true) or update input: unknown fields,
// missing required fields, wrong types, enum values, URLs, dates and date order are refused
// with EINVALID naming the field. existing holds the stored properties of the entity being
// updated (nil on create), so date order is checked against the values that will result.
// It returns the properties to store, with nil for properties to remove.
func CheckInput(in NodeInput, create bool, existing map[string]any) (map[string]any, error) {
	specs := in.Kind.Fields()
	if len(KindFields[in.Kind]) == 0 {
		return nil, FieldErrorf(EINVALID, "kind", "unknown kind %q", in.Kind)
	}
	out := make(map[string]any, len(in.Fields))
	for name, v := range in.Fields {
		i := slices.IndexFunc(specs, func(s FieldSpec) bool { return s.Name == name })
		if i < 0 {
			return nil, FieldErrorf(EINVALID, name, "%s has no field %q", in.Kind, name)
		}
		spec := specs[i]
		if !create && name == "id" {
			return nil, FieldErrorf(EINVALID, "id", "the id of an entity cannot change")
		}
		val, err := checkValue(spec, v)
		if err != nil {
			return nil, err
		}
		if val == nil && (spec.Required || spec.Type == FieldStatus) {
			return nil, FieldErrorf(EINVALID, name, "%s is required", name)
		}
		if val != nil || !create {
			out[name] = val
		}
	}
	if create {
		for _, s := range specs {
			if s.Required && out[s.Name] == nil {
				return nil, FieldErrorf(EINVALID, s.Name, "%s is required", s.Name)
			}
		}
		if out["status"] == nil {
			out["status"] = string(StatusPublished)
		}
	}
	for _, r := range DateRanges[in.Kind] {
		start, end := resulting(out, existing, r[0]), resulting(out, existing, r[1])
		if start != "" && end != "" && Date(end).End() < Date(start).Start() {
			return nil, FieldErrorf(EINVALID, r[1], "%s (%s) is before %s (%s)", r[1], end, r[0], start)
		}
	}
	if cc, ok := out["countryCode"].(string); ok && !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(cc) {
		return nil, FieldErrorf(EINVALID, "countryCode", "countryCode must be two upper-case letters (ISO 3166-1 alpha-2)")
	}
	return out, nil
}

func resulting(out, existing map[string]any, name string) string {
	if v, ok := out[name]; ok {
		s, _ := v.(string)
		return s
	}
	s, _ := existing[name].(string)
	return s
}

func checkValue(spec FieldSpec, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	name := spec.Name
	if spec.Type == FieldInt {
		var n int64
		switch x := v.(type) {
		case int:
			n = int64(x)
		case int64:
			n = x
		case float64:
			if x != float64(int64(x)) {
				return nil, FieldErrorf(EINVALID, name, "%s must be a whole number", name)
			}
			n = int64(x)
		default:
			return nil, FieldErrorf(EINVALID, name, "%s must be a number", name)
		}
		if n < 0 {
			return nil, FieldErrorf(EINVALID, name, "%s must not be negative", name)
		}
		return n, nil
	}
	s, ok := v.(string)
	if !ok {
		s = fmt.Sprint(v) // enums and dates arrive as named string types
		if st, isStringer := v.(fmt.Stringer); isStringer {
			s = st.String()
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if spec.Required {
			return nil, FieldErrorf(EINVALID, name, "%s must not be empty", name)
		}
		return nil, nil
	}
	if spec.Max > 0 && len([]rune(s)) > spec.Max {
		return nil, FieldErrorf(EINVALID, name, "%s is longer than %d characters", name, spec.Max)
	}
	switch spec.Type {
	case FieldSlug:
		if !slugPattern.MatchString(s) {
			return nil, FieldErrorf(EINVALID, name, "%s must be lower-case letters, digits and single hyphens", name)
		}
	case FieldDate:
		if _, err := ParseDate(s); err != nil {
			return nil, FieldErrorf(EINVALID, name, "%s: %s", name, ErrorMessage(err))
		}
	case FieldURL:
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, FieldErrorf(EINVALID, name, "%s must be an absolute http or https URL", name)
		}
	case FieldEnum:
		if !slices.Contains(spec.Enum, s) {
			return nil, FieldErrorf(EINVALID, name, "%s must be one of %s", name, strings.Join(spec.Enum, ", "))
		}
	case FieldStatus:
		if s != string(StatusDraft) && s != string(StatusPublished) {
			return nil, FieldErrorf(EINVALID, name, "status must be DRAFT or PUBLISHED")
		}
	}
	return s, nil
}
