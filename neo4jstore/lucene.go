package neo4jstore

import (
	"strings"
	"unicode"
)

// luceneQuery turns words typed by a user into a full-text query in which every word must
// match, exactly, as a prefix, or (for longer words) with a typo. Lucene syntax in the input
// is neutralised: only letters and digits reach the index, so no input can break the query.
// Returns "" when the text has no words.
func luceneQuery(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	var clauses []string
	for i, w := range words {
		if i == 8 { // bounded cost: a query of many words is no more precise
			break
		}
		alts := []string{w + "^3"}
		if len([]rune(w)) >= 2 {
			alts = append(alts, w+"*")
		}
		switch n := len([]rune(w)); {
		case n >= 7:
			alts = append(alts, w+"~2")
		case n >= 4:
			alts = append(alts, w+"~1")
		}
		clauses = append(clauses, "+("+strings.Join(alts, " ")+")")
	}
	return strings.Join(clauses, " ")
}

// searchWords returns the lower-cased words of a query, for highlighting.
func searchWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
