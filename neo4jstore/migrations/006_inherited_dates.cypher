// A part of an event without dates of its own takes its published umbrella's period for
// filters and reports (neo4jstore/dates.go).
MATCH (e:Event)-[:PART_OF]->(u:Event WHERE u.status = 'PUBLISHED' AND u.dateFrom <> '')
WHERE e.startDate IS NULL
SET e.dateFrom = u.dateFrom, e.dateTo = u.dateTo, e.year = u.year
