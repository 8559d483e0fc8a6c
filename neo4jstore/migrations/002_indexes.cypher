// Sort keys and filters of the lists.
CREATE INDEX organisation_name IF NOT EXISTS FOR (n:Organisation) ON (n.name);
CREATE INDEX organisation_kind IF NOT EXISTS FOR (n:Organisation) ON (n.kind);
CREATE INDEX event_date IF NOT EXISTS FOR (n:Event) ON (n.dateFrom);
CREATE INDEX event_kind IF NOT EXISTS FOR (n:Event) ON (n.kind);
CREATE INDEX event_year IF NOT EXISTS FOR (n:Event) ON (n.year);
CREATE INDEX publication_date IF NOT EXISTS FOR (n:Publication) ON (n.dateFrom);
CREATE INDEX publication_kind IF NOT EXISTS FOR (n:Publication) ON (n.kind);
CREATE INDEX publication_year IF NOT EXISTS FOR (n:Publication) ON (n.year);
CREATE INDEX programme_title IF NOT EXISTS FOR (n:Programme) ON (n.title);
CREATE INDEX topic_name IF NOT EXISTS FOR (n:Topic) ON (n.name);
CREATE INDEX place_name IF NOT EXISTS FOR (n:Place) ON (n.name);
CREATE INDEX place_country IF NOT EXISTS FOR (n:Place) ON (n.countryCode);
CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE INDEX entity_status IF NOT EXISTS FOR (n:Entity) ON (n.status);
CREATE INDEX organised_role IF NOT EXISTS FOR ()-[r:ORGANISED]-() ON (r.role);
CREATE INDEX published_role IF NOT EXISTS FOR ()-[r:PUBLISHED]-() ON (r.role);
// Search over every kind's words. standard-no-stop-words keeps short words such as "AI".
CREATE FULLTEXT INDEX entity_text IF NOT EXISTS
FOR (n:Programme|Organisation|Event|Publication|Topic|Place|Person)
ON EACH [n.title, n.name, n.shortName, n.summary, n.body, n.description]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}};
