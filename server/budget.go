package server

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// A document is measured before it is validated: gqlparser's validation is quadratic in
// same-named fields and follows fragment spreads, so a small document can cost minutes. The
// measure is one pass over the parsed document (linear in its size, which the parser's token
// limit bounds) with each fragment measured once, however often it is spread, and it stops
// as soon as a limit is passed. Every limit names its code: TOO_MANY_FIELDS for selections,
// QUERY_TOO_DEEP for nesting of selections or of input values, QUERY_TOO_COMPLEX for the rest.

// docBudget holds the limits a document must stay within before it is validated.
type docBudget struct {
	maxFields     int // per operation and per fragment, fragments expanded, aliases counted
	maxDepth      int // nesting of fields
	maxOperations int
	maxFragments  int
	maxDirectives int // in the whole document
	maxVariables  int // variable definitions in the whole document
	maxName       int // characters of a name (field, alias, argument, fragment, variable, type)
	maxValueDepth int // nesting of lists and objects in an argument or default value
	maxValueNodes int // list items and object fields in all values of the document
}

func (l Limits) budget() docBudget {
	return docBudget{maxFields: l.MaxFields, maxDepth: l.MaxDepth, maxOperations: 20, maxFragments: 100,
		maxDirectives: 100, maxVariables: 100, maxName: 128, maxValueDepth: 8, maxValueNodes: 2000}
}

// measure is the size of a selection set with its fragments expanded: fields (aliases
// included) and the deepest field below it.
type measure struct{ fields, depth int }

// measurer walks one document. Its work is counted in steps, one per AST node visited, so
// tests can prove the walk is linear whatever the document's shape.
type measurer struct {
	b         docBudget
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]measure
	active    map[string]bool // fragments being measured: a cycle counts nothing (validation refuses it)
	steps     int
	directive int
	values    int
}

// check measures doc against the budget; nil means the document may go on to validation.
func (b docBudget) check(doc *ast.QueryDocument) (*gqlerror.Error, int) {
	m := &measurer{b: b, memo: map[string]measure{}, active: map[string]bool{}}
	err := m.document(doc)
	return err, m.steps
}

func (m *measurer) document(doc *ast.QueryDocument) *gqlerror.Error {
	if n := len(doc.Operations); n > m.b.maxOperations {
		return limitError("QUERY_TOO_COMPLEX", "the document has %d operations; the limit is %d", n, m.b.maxOperations)
	}
	if n := len(doc.Fragments); n > m.b.maxFragments {
		return limitError("QUERY_TOO_COMPLEX", "the document has %d fragments; the limit is %d", n, m.b.maxFragments)
	}
	m.fragments = make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		if err := m.name(f.Name); err != nil {
			return err
		}
		m.fragments[f.Name] = f
	}
	variables := 0
	for _, op := range doc.Operations {
		m.steps++
		if err := m.name(op.Name); err != nil {
			return err
		}
		variables += len(op.VariableDefinitions)
		if variables > m.b.maxVariables {
			return limitError("QUERY_TOO_COMPLEX", "the document defines more than %d variables", m.b.maxVariables)
		}
		for _, v := range op.VariableDefinitions {
			m.steps++
			if err := m.name(v.Variable); err != nil {
				return err
			}
			if err := m.directives(v.Directives); err != nil {
				return err
			}
			if err := m.value(v.DefaultValue, 0); err != nil {
				return err
			}
		}
		if err := m.directives(op.Directives); err != nil {
			return err
		}
		got, err := m.selections(op.SelectionSet, 0)
		if err != nil {
			return err
		}
		if got.fields > m.b.maxFields {
			return tooManyFields(m.b.maxFields)
		}
	}
	// Fragments no operation spreads are validated too: they stay within the same limits.
	for _, f := range doc.Fragments {
		if _, err := m.fragment(f.Name); err != nil {
			return err
		}
	}
	return nil
}

func tooManyFields(limit int) *gqlerror.Error {
	return limitError("TOO_MANY_FIELDS", "the operation selects more than %d fields (aliases and fragments included); the limit is %d", limit, limit)
}

// selections measures a selection set whose fields sit at depth+1.
func (m *measurer) selections(ss ast.SelectionSet, depth int) (measure, *gqlerror.Error) {
	var total measure
	add := func(x measure) *gqlerror.Error {
		total.fields += x.fields
		total.depth = max(total.depth, x.depth)
		if total.fields > m.b.maxFields {
			return tooManyFields(m.b.maxFields)
		}
		return nil
	}
	for _, sel := range ss {
		m.steps++
		var x measure
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			if depth+1 > m.b.maxDepth {
				return total, limitError("QUERY_TOO_DEEP", "the operation nests more than %d levels; the limit is %d", m.b.maxDepth, m.b.maxDepth)
			}
			if err = m.fieldParts(s); err != nil {
				return total, err
			}
			if x, err = m.selections(s.SelectionSet, depth+1); err != nil {
				return total, err
			}
			x = measure{fields: x.fields + 1, depth: max(x.depth, depth+1)}
		case *ast.InlineFragment:
			if err = m.directives(s.Directives); err != nil {
				return total, err
			}
			if x, err = m.selections(s.SelectionSet, depth); err != nil {
				return total, err
			}
		case *ast.FragmentSpread:
			if err = m.directives(s.Directives); err != nil {
				return total, err
			}
			var f measure
			if f, err = m.fragment(s.Name); err != nil {
				return total, err
			}
			// A fragment's measure is relative to where it is spread.
			if f.fields > 0 && depth+f.depth > m.b.maxDepth {
				return total, limitError("QUERY_TOO_DEEP", "the operation nests more than %d levels; the limit is %d", m.b.maxDepth, m.b.maxDepth)
			}
			x = measure{fields: f.fields, depth: depth + f.depth}
		}
		if err = add(x); err != nil {
			return total, err
		}
	}
	return total, nil
}

// fragment measures a fragment once, relative to depth 0; later spreads reuse the measure.
func (m *measurer) fragment(name string) (measure, *gqlerror.Error) {
	if x, ok := m.memo[name]; ok {
		return x, nil
	}
	f := m.fragments[name]
	if f == nil || m.active[name] {
		return measure{}, nil // unknown fragments and cycles are validation's to refuse
	}
	m.active[name] = true
	if err := m.directives(f.Directives); err != nil {
		return measure{}, err
	}
	x, err := m.selections(f.SelectionSet, 0)
	delete(m.active, name)
	if err != nil {
		return measure{}, err
	}
	m.memo[name] = x
	return x, nil
}

func (m *measurer) fieldParts(f *ast.Field) *gqlerror.Error {
	if err := m.name(f.Name); err != nil {
		return err
	}
	if err := m.name(f.Alias); err != nil {
		return err
	}
	for _, a := range f.Arguments {
		m.steps++
		if err := m.name(a.Name); err != nil {
			return err
		}
		if err := m.value(a.Value, 0); err != nil {
			return err
		}
	}
	return m.directives(f.Directives)
}

// directives counts directives where they are written (not per expansion of a fragment:
// validation looks at each written directive once).
func (m *measurer) directives(ds ast.DirectiveList) *gqlerror.Error {
	m.directive += len(ds)
	if m.directive > m.b.maxDirectives {
		return limitError("QUERY_TOO_COMPLEX", "the document has more than %d directives", m.b.maxDirectives)
	}
	for _, d := range ds {
		m.steps++
		if err := m.name(d.Name); err != nil {
			return err
		}
		for _, a := range d.Arguments {
			if err := m.value(a.Value, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *measurer) value(v *ast.Value, depth int) *gqlerror.Error {
	if v == nil {
		return nil
	}
	m.steps++
	if depth > m.b.maxValueDepth {
		return limitError("QUERY_TOO_DEEP", "an input value nests more than %d levels", m.b.maxValueDepth)
	}
	m.values += len(v.Children)
	if m.values > m.b.maxValueNodes {
		return limitError("QUERY_TOO_COMPLEX", "the document's input values hold more than %d items", m.b.maxValueNodes)
	}
	for _, c := range v.Children {
		if err := m.name(c.Name); err != nil {
			return err
		}
		if err := m.value(c.Value, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (m *measurer) name(s string) *gqlerror.Error {
	if len(s) > m.b.maxName {
		return limitError("QUERY_TOO_COMPLEX", "a name is longer than %d characters", m.b.maxName)
	}
	return nil
}
