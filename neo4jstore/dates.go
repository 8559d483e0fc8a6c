package neo4jstore

import (
	"context"
	_ "embed"
)

// A part of an event without dates of its own (a panel of an undated-by-the-page session)
// takes its umbrella's period for filters and reports: n.dateFrom, n.dateTo and n.year, never
// its startDate and endDate, which stay what the editors gave. Only a published umbrella lends
// its period, so a draft's dates stay hidden. Every write that can change the period of a part
// (its own dates, its umbrella's, a PART_OF link, a deleted umbrella) runs qInheritDates in its
// transaction; migration 006 and a bulk import's Finish run qInheritAllDates.

// qInheritDates refreshes the period of the events $ids and of their parts.
const qInheritDates = `UNWIND $ids AS id
MATCH (x:Event {id: id})
OPTIONAL MATCH (part:Event)-[:PART_OF]->(x)
WITH collect(DISTINCT x) + collect(DISTINCT part) AS events
UNWIND events AS e
WITH DISTINCT e WHERE e.startDate IS NULL
OPTIONAL MATCH (e)-[:PART_OF]->(u:Event WHERE u.status = 'PUBLISHED' AND u.dateFrom <> '')
WITH e, head(collect(u)) AS u
SET e.dateFrom = coalesce(u.dateFrom, ''), e.dateTo = coalesce(u.dateTo, ''), e.year = u.year`

//go:embed migrations/006_inherited_dates.cypher
var qInheritAllDates string

// qPartsOf lists the parts of the events $ids (read before the events are deleted).
const qPartsOf = `MATCH (p:Event)-[:PART_OF]->(x:Event) WHERE x.id IN $ids RETURN collect(DISTINCT p.id) AS parts`

// inheritDates refreshes, inside t, the period of the events ids and of their parts.
func inheritDates(ctx context.Context, t tx, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := t.run(ctx, qInheritDates, map[string]any{"ids": ids})
	return err
}

// partsOf returns the ids of the parts of the events ids.
func partsOf(ctx context.Context, t tx, ids ...string) ([]string, error) {
	rows, err := t.run(ctx, qPartsOf, map[string]any{"ids": ids})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return stringList(rows[0].Values[0]), nil
}
