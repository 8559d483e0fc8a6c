package neo4jstore

import "testing"

func TestLuceneQueryNeutralisesSyntax(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AI", "+(ai^3 ai*)"},
		{"toolkit", "+(toolkit^3 toolkit* toolkit~2)"},
		{"Ghent uni", "+(ghent^3 ghent* ghent~1) +(uni^3 uni*)"},
		{`title:"x" OR (y* AND z~) -w \ /`, "+(title^3 title* title~1) +(x^3) +(or^3 or*) +(y^3) +(and^3 and*) +(z^3) +(w^3)"},
		{"!!!", ""},
		{"Zürich", "+(zürich^3 zürich* zürich~1)"},
	}
	for _, tt := range tests {
		if got := luceneQuery(tt.in); got != tt.want {
			t.Errorf("luceneQuery(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSnippetMarksAndEscapes(t *testing.T) {
	props := map[string]any{"title": "Report", "summary": "Findings <b>from</b> the Global Meeting in Singapore on AI & robotics."}
	got := snippet(props, []string{"singap", "ai"})
	want := "Findings &lt;b&gt;from&lt;/b&gt; the Global Meeting in <mark>Singapore</mark> on <mark>AI</mark> &amp; robotics."
	if got != want {
		t.Errorf("snippet:\n got %q\nwant %q", got, want)
	}
	long := map[string]any{"body": string(make([]byte, 0)) + "aaaa " + repeat("filler ", 40) + "target word " + repeat("tail ", 40)}
	if got := snippet(long, []string{"target"}); len(got) > 2*snippetRadius+40 || !contains([]rune(got), '…') {
		t.Errorf("long text snippet not cut around the match: %q", got)
	}
	if got := snippet(map[string]any{"name": "İstanbul İİİ office"}, []string{"office"}); got == "" {
		t.Errorf("snippet of text whose lower case changes length: empty")
	}
}

func repeat(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}
