package neo4jstore

import (
	"strings"
	"unicode"
	"unicode/utf8"

	pg "github.com/unicri/partnergraph"
)

// MaxTextLength bounds the text of a search or a text filter: whatever reaches Lucene is small.
const MaxTextLength = 200

// maxFuzzyWord is the longest word matched with typos: a fuzzy automaton grows with the word,
// and no word a reader types is longer.
const maxFuzzyWord = 24

// checkedLucene checks the text a client sent and turns it into a full-text query. Returns
// EINVALID naming the text field.
func checkedLucene(text string) (string, error) {
	if utf8.RuneCountInString(text) > MaxTextLength {
		return "", pg.FieldErrorf(pg.EINVALID, "text", "text is longer than %d characters", MaxTextLength)
	}
	lq := luceneQuery(text)
	if lq == "" {
		return "", pg.FieldErrorf(pg.EINVALID, "text", "text has no words to search for")
	}
	return lq, nil
}

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
		case n > maxFuzzyWord:
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
