// Index-backed sort orders: a list ordered by name, title, date, creation or update reads the
// kind's index in that order and stops after one page.
CREATE INDEX event_title IF NOT EXISTS FOR (n:Event) ON (n.title);
CREATE INDEX event_date_to IF NOT EXISTS FOR (n:Event) ON (n.dateTo);
CREATE INDEX publication_title IF NOT EXISTS FOR (n:Publication) ON (n.title);
CREATE INDEX programme_date IF NOT EXISTS FOR (n:Programme) ON (n.dateFrom);
CREATE INDEX organisation_date IF NOT EXISTS FOR (n:Organisation) ON (n.dateFrom);
CREATE INDEX programme_created IF NOT EXISTS FOR (n:Programme) ON (n.createdAt);
CREATE INDEX organisation_created IF NOT EXISTS FOR (n:Organisation) ON (n.createdAt);
CREATE INDEX event_created IF NOT EXISTS FOR (n:Event) ON (n.createdAt);
CREATE INDEX publication_created IF NOT EXISTS FOR (n:Publication) ON (n.createdAt);
CREATE INDEX topic_created IF NOT EXISTS FOR (n:Topic) ON (n.createdAt);
CREATE INDEX place_created IF NOT EXISTS FOR (n:Place) ON (n.createdAt);
CREATE INDEX person_created IF NOT EXISTS FOR (n:Person) ON (n.createdAt);
CREATE INDEX programme_updated IF NOT EXISTS FOR (n:Programme) ON (n.updatedAt);
CREATE INDEX organisation_updated IF NOT EXISTS FOR (n:Organisation) ON (n.updatedAt);
CREATE INDEX event_updated IF NOT EXISTS FOR (n:Event) ON (n.updatedAt);
CREATE INDEX publication_updated IF NOT EXISTS FOR (n:Publication) ON (n.updatedAt);
CREATE INDEX topic_updated IF NOT EXISTS FOR (n:Topic) ON (n.updatedAt);
CREATE INDEX place_updated IF NOT EXISTS FOR (n:Place) ON (n.updatedAt);
CREATE INDEX person_updated IF NOT EXISTS FOR (n:Person) ON (n.updatedAt);
// Entities stored before this migration: undated ones get "" (every entity of a dated kind is
// in the dateFrom index) and times are kept to the millisecond (cursors carry epoch millis).
MATCH (n:Entity) WHERE (n:Event OR n:Publication OR n:Programme OR n:Organisation) AND n.dateFrom IS NULL
CALL (n) { SET n.dateFrom = '', n.dateTo = '' } IN TRANSACTIONS OF 10000 ROWS;
MATCH (n:Entity) WHERE n.createdAt.nanosecond % 1000000 <> 0 OR n.updatedAt.nanosecond % 1000000 <> 0
CALL (n) {
  SET n.createdAt = datetime({epochMillis: n.createdAt.epochMillis}),
      n.updatedAt = datetime({epochMillis: n.updatedAt.epochMillis})
} IN TRANSACTIONS OF 10000 ROWS;
