// The change feed (neo4jstore/feed.go): read in sequence order, pruned by age.
CREATE RANGE INDEX change_seq IF NOT EXISTS FOR (c:Change) ON (c.seq);
CREATE RANGE INDEX change_at IF NOT EXISTS FOR (c:Change) ON (c.at);
