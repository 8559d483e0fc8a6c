package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/neo4jstore"
)

// statementLog collects the distinct statements the store runs, with the parameters of their
// first run.
type statementLog struct {
	mu   sync.Mutex
	seen map[string]map[string]any
}

func (l *statementLog) observe(_ context.Context, q string, p map[string]any, _ time.Duration, err error) {
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[q]; !ok {
		l.seen[q] = p
	}
}

// scanAllowed: the store marks the statements that read every entity of a kind by design
// (totals, reports and count orders over everything); the test helper's reset also scans.
func scanAllowed(q string) bool {
	return strings.Contains(q, "// reads a whole kind by design") || strings.Contains(q, "DETACH DELETE") || strings.Contains(q, "DELETE r")
}

// TestEveryStatementStartsFromAnIndex runs the example documents and a spread of filters and
// orders, records every statement the store sent, and EXPLAINs each: no statement may scan all
// nodes, and none but whole-kind totals and reports may scan a label.
func TestEveryStatementStartsFromAnIndex(t *testing.T) {
	srv, db := newAPI(t)
	log := &statementLog{seen: map[string]map[string]any{}}
	db.SetObserver(log.observe)
	for _, ex := range docs.Examples() {
		var vars map[string]any
		_ = json.Unmarshal([]byte(ex.Variables), &vars)
		post(t, srv, editorKey, ex.Query, vars)
	}
	for _, q := range corpus {
		post(t, srv, editorKey, q, nil)
	}
	db.SetObserver(nil)
	if len(log.seen) < 30 {
		t.Fatalf("only %d distinct statements recorded", len(log.seen))
	}
	for q, p := range log.seen {
		plan, err := db.Explain(context.Background(), q, p)
		if err != nil {
			t.Errorf("EXPLAIN failed: %v\n%s", err, q)
			continue
		}
		if bad := scans(plan); bad != "" && (bad == "AllNodesScan" || !scanAllowed(q)) {
			t.Errorf("%s in the plan of:\n%s\nplan: %v", bad, q, ops(plan))
		}
	}
}

func scans(plan []neo4jstore.PlanStep) string {
	for _, s := range plan {
		switch s.Operator {
		case "AllNodesScan", "NodeByLabelScan", "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan":
			return s.Operator
		}
	}
	return ""
}

func ops(plan []neo4jstore.PlanStep) []string {
	var out []string
	for _, s := range plan {
		out = append(out, s.Operator)
	}
	return out
}

// corpus exercises the filters, orders and relationship fields the examples do not.
var corpus = []string{
	`{ organisations(first: 5) { nodes { id } } }`,
	`{ organisations(first: 5, orderBy: {field: NAME, direction: DESC}) { nodes { id } } }`,
	`{ events(first: 5) { totalCount nodes { id } } }`,
	`{ events(first: 5, filter: {from: "2018", to: "2019"}) { nodes { id } } }`,
	`{ events(first: 5, filter: {kinds: ["TRAINING"]}) { nodes { id } } }`,
	`{ events(first: 5, filter: {topic: "topic-cybersecurity"}) { nodes { id } } }`,
	`{ events(first: 5, filter: {organisation: "org-unicri", roles: [ORGANISER]}) { nodes { id } } }`,
	`{ events(first: 5, filter: {text: "training"}) { nodes { id } } }`,
	`{ publications(first: 5) { nodes { id } } }`,
	`{ publications(first: 5, filter: {organisation: "org-interpol"}) { nodes { id } } }`,
	`{ topics(first: 5) { nodes { id } } places(first: 5) { nodes { id } } people(first: 5) { nodes { id } } programmes(first: 5) { nodes { id } } }`,
	`{ places(filter: {country: "NL"}) { nodes { id } } }`,
	`{ organisations(first: 3, orderBy: {field: EVENT_COUNT}) { nodes { id } } }`,
	`{ node(id: "org-unicri") { id } nodes(ids: ["org-interpol", "evt-c0c0n-conference-kochi"]) { id } }`,
	`{ programme(slug: "ai-for-safer-children") { partners { edges { role } } events { nodes { id } } publications { nodes { id } } topics { nodes { id } } } }`,
	`{ event(slug: "ai-for-good-panel-geneva") { partOf { id } parts { nodes { id } } programme { id } participants { totalCount } } }`,
	`{ publication(slug: "f3-freedom-from-fear-magazine") { summarises { nodes { id } } launchedAt { nodes { id } } features { nodes { id } } partOf { id } programme { id } } }`,
	`{ topic(slug: "deepfakes") { events { nodes { id } } publications { nodes { id } } prioritisedBy { nodes { id } } } }`,
	`{ person(slug: "irakli-beridze") { affiliations { edges { title } } events { totalCount } } }`,
	`{ organisation(slug: "unicri-centre-ai-robotics") { supporters { totalCount } programmes { totalCount } people { totalCount } collaborators { totalCount } } }`,
	`{ coOrganisations(filter: {organisation: "org-unicri"}) { totalCount edges { node { count } } } }`,
	`{ coOrganisations(filter: {from: "2018", to: "2018", eventKinds: [MEETING]}) { edges { node { count } } } }`,
	`{ search(text: "law enforcement", kinds: [EVENT]) { totalCount edges { cursor } } }`,
	`mutation { createTopic(input: {slug: "plan-check", name: "Plan check"}, links: []) { id } }`,
	`mutation { updateTopic(id: "topic-plan-check", input: {description: "x"}) { id } }`,
	`mutation { link(input: {type: PRIORITISES, from: "org-unicri", to: "topic-plan-check"}) { type } }`,
	`mutation { unlink(input: {type: PRIORITISES, from: "org-unicri", to: "topic-plan-check"}) { id } }`,
	`mutation { deleteNode(id: "topic-plan-check") { id } }`,
}
