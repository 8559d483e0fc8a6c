// What pairs of organisations share (neo4jstore/shares.go): (a)-[:SHARES]->(b), a.id < b.id,
// counts the events (ev), publications (pub) and programmes (prog) both took part in, and the
// published ones among them (evp, pubp, progp). Built here from the model; kept by every write
// after. DB.RebuildShares runs these statements again after a bulk import.
MATCH (:Organisation)-[s:SHARES]->(:Organisation) CALL (s) { DELETE s } IN TRANSACTIONS OF 10000 ROWS;
MATCH (x:Event)
CALL (x) {
  MATCH (a:Organisation)-[:ORGANISED|ATTENDED]->(x)
  WITH DISTINCT a ORDER BY a.id
  WITH collect(a) AS orgs
  UNWIND range(0, size(orgs) - 2) AS i
  UNWIND range(i + 1, size(orgs) - 1) AS j
  WITH orgs[i] AS a, orgs[j] AS b
  MERGE (a)-[s:SHARES]->(b)
  SET s.ev = coalesce(s.ev, 0) + 1, s.evp = coalesce(s.evp, 0) + CASE WHEN x.status = 'PUBLISHED' THEN 1 ELSE 0 END
} IN TRANSACTIONS OF 500 ROWS;
MATCH (x:Publication)
CALL (x) {
  MATCH (a:Organisation)-[:PUBLISHED]->(x)
  WITH DISTINCT a ORDER BY a.id
  WITH collect(a) AS orgs
  UNWIND range(0, size(orgs) - 2) AS i
  UNWIND range(i + 1, size(orgs) - 1) AS j
  WITH orgs[i] AS a, orgs[j] AS b
  MERGE (a)-[s:SHARES]->(b)
  SET s.pub = coalesce(s.pub, 0) + 1, s.pubp = coalesce(s.pubp, 0) + CASE WHEN x.status = 'PUBLISHED' THEN 1 ELSE 0 END
} IN TRANSACTIONS OF 500 ROWS;
MATCH (x:Programme)
CALL (x) {
  MATCH (a:Organisation)-[:RUNS]->(x)
  WITH DISTINCT a ORDER BY a.id
  WITH collect(a) AS orgs
  UNWIND range(0, size(orgs) - 2) AS i
  UNWIND range(i + 1, size(orgs) - 1) AS j
  WITH orgs[i] AS a, orgs[j] AS b
  MERGE (a)-[s:SHARES]->(b)
  SET s.prog = coalesce(s.prog, 0) + 1, s.progp = coalesce(s.progp, 0) + CASE WHEN x.status = 'PUBLISHED' THEN 1 ELSE 0 END
} IN TRANSACTIONS OF 500 ROWS;
