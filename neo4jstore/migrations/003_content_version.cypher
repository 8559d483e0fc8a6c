// One node holds the content version: every change bumps it in its own transaction, and every
// API instance polls it to drop cached answers that a change on another instance made stale.
CREATE CONSTRAINT content_version_id IF NOT EXISTS FOR (v:ContentVersion) REQUIRE v.id IS UNIQUE;
MERGE (v:ContentVersion {id: 'content'}) ON CREATE SET v.version = 0;
