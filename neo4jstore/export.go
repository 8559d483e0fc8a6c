package neo4jstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// DefaultExportPage is how many rows one export statement reads by default.
const DefaultExportPage = 10000

// exportPageTimeout bounds one page of an export. A whole-graph export has no deadline of its
// own (it takes as long as the graph is big), but no single statement may hang on forever.
const exportPageTimeout = time.Minute

// Exporter implements pg.ExportService. A whole-graph export reads entities in pages by keyset
// on their id (`WHERE n.id > $after ORDER BY n.id LIMIT $limit`, served by the id uniqueness
// index), then relationships per page of start nodes, as many start nodes as keep the page
// within PageSize relationships. Each page is one statement in its own transaction, retried by
// the driver like any read, and handed to the sink before the next is read: memory is bounded
// by the page, not the graph.
type Exporter struct {
	db *DB
	// PageSize is how many entities, and about how many relationships, one statement reads
	// (DefaultExportPage). A single entity with more relationships is read in one page.
	PageSize int
}

// Exporter returns the export service.
func (db *DB) Exporter() *Exporter { return &Exporter{db: db, PageSize: DefaultExportPage} }

// Export implements pg.ExportService on the network service too, so that the HTTP layer, which
// holds the network service, can serve exports without a service of its own.
func (s *Network) Export(ctx context.Context, v pg.Viewer, scope pg.ExportScope, sink pg.ExportSink) error {
	return s.db.Exporter().Export(ctx, v, scope, sink)
}

// Export implements pg.ExportService.
func (e *Exporter) Export(ctx context.Context, v pg.Viewer, scope pg.ExportScope, sink pg.ExportSink) error {
	for _, k := range scope.Kinds {
		if k.Label() == "" {
			return pg.FieldErrorf(pg.EINVALID, "kinds", "unknown kind %q", k)
		}
	}
	if !scope.WholeGraph() {
		return e.network(ctx, v, scope, sink)
	}
	if scope.Depth != 0 || len(scope.Kinds) > 0 || scope.Limit != 0 {
		return pg.FieldErrorf(pg.EINVALID, "center", "depth, kinds and limit apply to the network around a center: give center")
	}
	if e.PageSize < 1 {
		return pg.Errorf(pg.EINVALID, "export page size must be positive")
	}
	rows, err := e.page(ctx, qExportAsOf, nil)
	if err != nil {
		return translate("export", err)
	}
	asOf, _ := rows[0].Get("asOf")
	if err := e.nodes(ctx, v, asOf, sink); err != nil {
		return err
	}
	return e.edges(ctx, v, asOf, sink)
}

// page runs one statement of an export under the page deadline.
func (e *Exporter) page(ctx context.Context, q string, p map[string]any) ([]*neo4j.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, exportPageTimeout)
	defer cancel()
	return e.db.read(ctx, q, p)
}

// qExportAsOf reads the database's clock: entities created after the export started are left
// out of it, so a relationship to one created between the node and the edge passes cannot name
// a node that was never sent.
const qExportAsOf = `RETURN datetime({epochMillis: timestamp()}) AS asOf`

// exportColumns projects an entity n to the columns of an export node. Its countries are
// those of the visible places it is, is in (a city's country), is located in or was held in;
// a pattern comprehension walks out from n (a COLLECT subquery would start from every country).
const exportColumns = `
RETURN n.id AS id, labels(n) AS labels, coalesce(n.name, n.title) AS label, n.kind AS subKind,
  n.status AS status, n.startDate AS startDate, n.endDate AS endDate, n.published AS published,
  n.founded AS founded,
  [(n)-[:LOCATED_IN|HELD_IN*0..3]->(c:Place) WHERE c.countryCode IS NOT NULL AND c.status IN $statuses
   | c.countryCode] AS countries`

// qExportNodes reads one page of the entities the viewer may see, in id order. The hint keeps
// the planner on the id index, which yields ids in order from $after: without it, it may start
// from the status index and sort every visible entity for each page.
const qExportNodes = `MATCH (n:Entity) USING INDEX n:Entity(id)
WHERE n.id > $after AND n.status IN $statuses AND coalesce(n.createdAt, $asOf) <= $asOf
WITH n ORDER BY n.id LIMIT $limit` + exportColumns + `
ORDER BY id`

func (e *Exporter) nodes(ctx context.Context, v pg.Viewer, asOf any, sink pg.ExportSink) error {
	p := map[string]any{"after": "", "statuses": v.Statuses(), "asOf": asOf, "limit": e.PageSize}
	for {
		rows, err := e.page(ctx, qExportNodes, p)
		if err != nil {
			return translate("export nodes", err)
		}
		for _, r := range rows {
			n, err := exportNode(r)
			if err != nil {
				return err
			}
			if err := sink.Node(n); err != nil {
				return err
			}
			p["after"] = n.ID
		}
		if len(rows) < e.PageSize {
			return nil
		}
	}
}

// qExportStarts reads one page of the entities that relationships may start from, with the
// number of relationships each starts (a degree the store keeps: nothing is expanded).
var qExportStarts = `MATCH (a:Entity) USING INDEX a:Entity(id)
WHERE a.id > $after AND a.status IN $statuses AND coalesce(a.createdAt, $asOf) <= $asOf
WITH a ORDER BY a.id LIMIT $limit
RETURN a.id AS id, COUNT { (a)-[:` + domainRels + `]->() } AS degree
ORDER BY id`

// qExportEdges reads the relationships from some start entities to entities the viewer may see.
var qExportEdges = `UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r:` + domainRels + `]->(b:Entity)
WHERE b.status IN $statuses AND coalesce(b.createdAt, $asOf) <= $asOf
RETURN a.id AS source, b.id AS target, type(r) AS type, r.role AS role
ORDER BY source, type, target`

// edges sends every relationship between two entities the viewer may see, by start entity in
// id order. Start entities are batched so that each statement reads about PageSize
// relationships, whatever their degrees: the graph's hubs are read on their own.
func (e *Exporter) edges(ctx context.Context, v pg.Viewer, asOf any, sink pg.ExportSink) error {
	p := map[string]any{"after": "", "statuses": v.Statuses(), "asOf": asOf, "limit": e.PageSize}
	var batch []string
	budget := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := e.edgeBatch(ctx, batch, p, sink)
		batch, budget = batch[:0], 0
		return err
	}
	for {
		rows, err := e.page(ctx, qExportStarts, p)
		if err != nil {
			return translate("export edges", err)
		}
		for _, r := range rows {
			id, _, err1 := neo4j.GetRecordValue[string](r, "id")
			degree, _, err2 := neo4j.GetRecordValue[int64](r, "degree")
			if err := firstErr(err1, err2); err != nil {
				return fmt.Errorf("export edges: %w", err)
			}
			p["after"] = id
			if degree == 0 {
				continue
			}
			if budget+int(degree) > e.PageSize {
				if err := flush(); err != nil {
					return err
				}
			}
			batch = append(batch, id)
			budget += int(degree)
		}
		if len(rows) < e.PageSize {
			return flush()
		}
	}
}

func (e *Exporter) edgeBatch(ctx context.Context, ids []string, p map[string]any, sink pg.ExportSink) error {
	rows, err := e.page(ctx, qExportEdges, map[string]any{"ids": ids, "statuses": p["statuses"], "asOf": p["asOf"]})
	if err != nil {
		return translate("export edges", err)
	}
	for _, r := range rows {
		source, _, err1 := neo4j.GetRecordValue[string](r, "source")
		target, _, err2 := neo4j.GetRecordValue[string](r, "target")
		typ, _, err3 := neo4j.GetRecordValue[string](r, "type")
		role, _, err4 := neo4j.GetRecordValue[string](r, "role")
		if err := firstErr(err1, err2, err3, err4); err != nil {
			return fmt.Errorf("export edges: %w", err)
		}
		edge := pg.ExportEdge{Source: source, Target: target, Types: []pg.RelType{pg.RelType(typ)}, Weight: 1}
		if role != "" {
			edge.Roles = []pg.Role{pg.Role(role)}
		}
		if err := sink.Edge(edge); err != nil {
			return err
		}
	}
	return nil
}

// qExportByID reads the export columns of the nodes of a network.
const qExportByID = `UNWIND $ids AS id
MATCH (n:Entity {id: id}) WHERE n.status IN $statuses` + exportColumns

// network exports the network NetworkService.Network draws (at most MaxNetworkNodes nodes, so
// it is held whole), with the export columns of its nodes. A node that went away between the
// two statements is left out, and so are its edges.
func (e *Exporter) network(ctx context.Context, v pg.Viewer, scope pg.ExportScope, sink pg.ExportSink) error {
	net, err := e.db.Network().Network(ctx, v, scope.Center, scope.Depth, scope.Kinds, scope.Limit)
	if err != nil {
		return err
	}
	ids := make([]string, len(net.Nodes))
	for i, n := range net.Nodes {
		ids[i] = n.Node.NodeID()
	}
	rows, err := e.page(ctx, qExportByID, map[string]any{"ids": ids, "statuses": v.Statuses()})
	if err != nil {
		return translate("export network", err)
	}
	byID := make(map[string]pg.ExportNode, len(rows))
	for _, r := range rows {
		n, err := exportNode(r)
		if err != nil {
			return err
		}
		byID[n.ID] = n
	}
	for _, nn := range net.Nodes {
		n, ok := byID[nn.Node.NodeID()]
		if !ok {
			continue
		}
		n.Depth = nn.Depth
		if err := sink.Node(n); err != nil {
			return err
		}
	}
	for _, ne := range net.Edges {
		if _, ok := byID[ne.Source]; !ok {
			continue
		}
		if _, ok := byID[ne.Target]; !ok {
			continue
		}
		if err := sink.Edge(pg.ExportEdge{Source: ne.Source, Target: ne.Target, Types: ne.Types, Roles: ne.Roles, Weight: ne.Weight}); err != nil {
			return err
		}
	}
	return nil
}

// exportNode maps one row of exportColumns.
func exportNode(r *neo4j.Record) (pg.ExportNode, error) {
	var n pg.ExportNode
	var errs [10]error
	var labels, countries []any
	var status string
	n.ID, _, errs[0] = neo4j.GetRecordValue[string](r, "id")
	labels, _, errs[1] = neo4j.GetRecordValue[[]any](r, "labels")
	n.Label, _, errs[2] = neo4j.GetRecordValue[string](r, "label")
	n.SubKind, _, errs[3] = neo4j.GetRecordValue[string](r, "subKind")
	status, _, errs[4] = neo4j.GetRecordValue[string](r, "status")
	var dates [4]string
	for i, key := range []string{"startDate", "endDate", "published", "founded"} {
		dates[i], _, errs[5+i] = neo4j.GetRecordValue[string](r, key)
	}
	countries, _, errs[9] = neo4j.GetRecordValue[[]any](r, "countries")
	if err := firstErr(errs[:]...); err != nil {
		return n, fmt.Errorf("export: entity %q: %w", n.ID, err)
	}
	n.Status = pg.Status(status)
	n.StartDate, n.EndDate, n.Published, n.Founded = pg.Date(dates[0]), pg.Date(dates[1]), pg.Date(dates[2]), pg.Date(dates[3])
	for _, l := range labels {
		if s, ok := l.(string); ok && pg.KindOfLabel(s) != "" {
			n.Kind = pg.KindOfLabel(s)
		}
	}
	codes := make([]string, 0, len(countries))
	for _, c := range countries {
		if s, ok := c.(string); ok && !slices.Contains(codes, s) {
			codes = append(codes, s)
		}
	}
	slices.Sort(codes)
	n.CountryCode = strings.Join(codes, ";")
	return n, nil
}

// CountRelations counts the relationships between two entities the viewer may see: the edges
// of a whole-graph export. Returns EUNAVAILABLE.
func (db *DB) CountRelations(ctx context.Context, v pg.Viewer) (int, error) {
	q := `MATCH (a:Entity)-[r:` + domainRels + `]->(b:Entity) WHERE a.status IN $statuses AND b.status IN $statuses RETURN count(r) AS n`
	rows, err := db.read(ctx, q, map[string]any{"statuses": v.Statuses()})
	if err != nil {
		return 0, translate("count relations", err)
	}
	n, _, err := neo4j.GetRecordValue[int64](rows[0], "n")
	return int(n), err
}
