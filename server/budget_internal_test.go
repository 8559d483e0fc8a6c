package server

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/unicri/partnergraph/internal/hostile"
)

// TestBudgetIsLinearAndStopsAtTheLimit: every hostile class is refused by the measure with its
// code, in a number of steps no larger than the document (a fragment spread twice per level,
// 2^30 fields, is measured once per fragment), before validation could see it.
func TestBudgetIsLinearAndStopsAtTheLimit(t *testing.T) {
	l := Limits{}.withDefaults()
	for _, c := range hostile.Classes {
		t.Run(c.Name, func(t *testing.T) {
			doc := c.Build(7)
			parsed, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: doc}, l.MaxTokens)
			if err != nil {
				t.Fatalf("the parser refused it (%v): the class must reach the budget", err)
			}
			lerr, steps := l.budget().check(parsed)
			if c.Code == "BAD_USER_INPUT" { // within the budget; the store refuses its value
				if lerr != nil {
					t.Fatalf("refused by the budget: %v", lerr)
				}
				return
			}
			if lerr == nil || lerr.Extensions["code"] != c.Code {
				t.Fatalf("got %v, want %s", lerr, c.Code)
			}
			if steps > len(doc) {
				t.Errorf("%d steps for a document of %d bytes", steps, len(doc))
			}
		})
	}
	t.Run("fragment bomb is measured once per fragment", func(t *testing.T) {
		doc := hostile.Classes[2].Build(0)
		parsed, _ := parser.ParseQuery(&ast.Source{Input: doc})
		if _, steps := l.budget().check(parsed); steps > 200 {
			t.Errorf("%d steps for 31 fragments", steps)
		}
	})
	t.Run("within the limits", func(t *testing.T) {
		doc := `query Q($id: ID!) @a { organisation(id: $id) { ...F events(first: 10) { edges { node { ... on Event { title } } } } } }
		fragment F on Organisation { name priorities(first: 5) { nodes { name } } }`
		parsed, _ := parser.ParseQuery(&ast.Source{Input: doc})
		if lerr, _ := l.budget().check(parsed); lerr != nil {
			t.Errorf("refused: %v", lerr)
		}
		// 500 fields exactly pass, 501 do not.
		ok, _ := parser.ParseQuery(&ast.Source{Input: "{" + strings.Repeat(" __typename", 500) + " }"})
		over, _ := parser.ParseQuery(&ast.Source{Input: "{" + strings.Repeat(" __typename", 501) + " }"})
		if lerr, _ := l.budget().check(ok); lerr != nil {
			t.Errorf("500 fields refused: %v", lerr)
		}
		if lerr, _ := l.budget().check(over); lerr == nil {
			t.Errorf("501 fields passed")
		}
	})
}
