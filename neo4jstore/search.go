package neo4jstore

import (
	"context"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// Search implements pg.SearchService.
type Search struct{ db *DB }

// Search returns the store's search service.
func (db *DB) Search() *Search { return &Search{db: db} }

var _ pg.SearchService = (*Search)(nil)

// qSearchMatches finds the visible entities of the wanted kinds that match the query.
const qSearchMatches = `CALL db.index.fulltext.queryNodes('entity_text', $lucene) YIELD node AS n, score
WHERE n.status IN $statuses AND ($labels IS NULL OR any(l IN labels(n) WHERE l IN $labels))`

// exactBoost ranks an entity whose name, short name (acronym) or title is the searched text
// first, and one whose name starts with it next: "INTERPOL" finds INTERPOL before the INTERPOL
// Innovation Centre, whatever Lucene's term statistics say.
const exactBoost = `CASE
  WHEN toLower(n.shortName) = $exact OR toLower(coalesce(n.name, n.title)) = $exact THEN 1000.0
  WHEN toLower(n.shortName) STARTS WITH $exact OR toLower(coalesce(n.name, n.title)) STARTS WITH $exact THEN 100.0
  ELSE 0.0 END`

func searchParams(v pg.Viewer, text string, kinds []pg.Kind) (map[string]any, error) {
	lq, err := checkedLucene(text)
	if err != nil {
		return nil, err
	}
	p := map[string]any{"lucene": lq, "statuses": v.Statuses(), "labels": nil}
	if len(kinds) > 0 {
		var labels []string
		for _, k := range kinds {
			labels = append(labels, k.Label())
		}
		p["labels"] = labels
	}
	return p, nil
}

// CountSearch implements pg.SearchService.
func (s *Search) CountSearch(ctx context.Context, v pg.Viewer, text string, kinds []pg.Kind) (int, error) {
	p, err := searchParams(v, text, kinds)
	if err != nil {
		return 0, err
	}
	rows, err := s.db.read(ctx, qSearchMatches+"\nRETURN count(n) AS total", p)
	if err != nil {
		return 0, translate("count search", err)
	}
	n, _, err := neo4j.GetRecordValue[int64](rows[0], "total")
	return int(n), err
}

// Search implements pg.SearchService: the full-text index ranks, the cursor is (score, id).
func (s *Search) Search(ctx context.Context, v pg.Viewer, text string, kinds []pg.Kind, page pg.PageArgs) (*pg.Page[pg.SearchHit], error) {
	w, err := page.Validate()
	if err != nil {
		return nil, err
	}
	if w.Backward {
		return nil, pg.FieldErrorf(pg.EINVALID, "last", "search pages forward only")
	}
	p, err := searchParams(v, text, kinds)
	if err != nil {
		return nil, err
	}
	q := qSearchMatches + `
WITH n, score + ` + exactBoost + ` AS score
WHERE $ck IS NULL OR score < $ck OR (score = $ck AND n.id > $cid)
RETURN n, score ORDER BY score DESC, n.id ASC LIMIT $limit`
	p["exact"] = strings.ToLower(strings.TrimSpace(text))
	p["limit"], p["ck"], p["cid"] = w.Limit+1, nil, nil
	if w.Cursor != nil {
		p["ck"], p["cid"] = w.Cursor.Key, w.Cursor.ID
	}
	rows, err := s.db.read(ctx, q, p)
	if err != nil {
		return nil, translate("search", err)
	}
	words := searchWords(text)
	return pageOf(rows, w, func(r *neo4j.Record) (pg.SearchHit, string, error) {
		dn, _, err := neo4j.GetRecordValue[neo4j.Node](r, "n")
		if err != nil {
			return pg.SearchHit{}, "", err
		}
		n, err := toNode(dn)
		if err != nil {
			return pg.SearchHit{}, "", err
		}
		score, _, _ := neo4j.GetRecordValue[float64](r, "score")
		hit := pg.SearchHit{Node: n, Score: score, Snippet: snippet(dn.Props, words)}
		return hit, pg.Cursor{Key: score, ID: n.NodeID()}.Encode(), nil
	})
}

// snippetFields are the texts a snippet is cut from, best first.
var snippetFields = []string{"title", "name", "shortName", "summary", "description", "body"}

const snippetRadius = 80

// snippet returns an HTML-safe extract of the first text with a word that starts with one of
// words, the matches wrapped in <mark>; without a match, the start of the summary or name.
func snippet(props map[string]any, words []string) string {
	for _, f := range snippetFields {
		t, _ := props[f].(string)
		if t == "" {
			continue
		}
		lower := lowerSameWidth(t)
		for _, w := range words {
			if i := wordIndex(lower, w); i >= 0 {
				return highlight(excerpt(t, i), words)
			}
		}
	}
	for _, f := range []string{"summary", "description", "title", "name"} {
		if t, _ := props[f].(string); t != "" {
			return highlight(excerpt(t, 0), words)
		}
	}
	return ""
}

// lowerSameWidth lower-cases s rune by rune, keeping any rune whose lower case has another
// width in bytes, so indexes into the result are indexes into s.
func lowerSameWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); utf8.RuneLen(l) == utf8.RuneLen(r) {
			return l
		}
		return r
	}, s)
}

// wordIndex finds w at the start of a word in s.
func wordIndex(s, w string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return -1
		}
		i += off
		if i == 0 || !isWordByte(s[i-1]) {
			return i
		}
		off = i + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// excerpt cuts about snippetRadius bytes either side of i, on rune boundaries, with ellipses.
func excerpt(t string, i int) string {
	start, end := max(0, i-snippetRadius), min(len(t), i+snippetRadius)
	for start > 0 && !utf8.RuneStart(t[start]) {
		start--
	}
	for end < len(t) && !utf8.RuneStart(t[end]) {
		end++
	}
	out := strings.TrimSpace(t[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(t) {
		out += "…"
	}
	return out
}

// highlight escapes t and wraps each word that starts with a query word in <mark>.
func highlight(t string, words []string) string {
	var b strings.Builder
	lower := lowerSameWidth(t)
	for i := 0; i < len(t); {
		matched := 0
		if i == 0 || !isWordByte(lower[i-1]) {
			for _, w := range words {
				if strings.HasPrefix(lower[i:], w) {
					j := i + len(w)
					for j < len(t) && isWordByte(lower[j]) {
						j++
					}
					matched = j - i
					break
				}
			}
		}
		if matched > 0 {
			b.WriteString("<mark>" + html.EscapeString(t[i:i+matched]) + "</mark>")
			i += matched
			continue
		}
		_, size := utf8.DecodeRuneInString(t[i:])
		b.WriteString(html.EscapeString(t[i : i+size]))
		i += size
	}
	return b.String()
}
