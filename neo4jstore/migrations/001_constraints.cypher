// Every entity carries :Entity besides its kind's label: one constraint keeps ids globally
// unique and gives node(id:) an index to start from.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT programme_slug IF NOT EXISTS FOR (n:Programme) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT organisation_slug IF NOT EXISTS FOR (n:Organisation) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT event_slug IF NOT EXISTS FOR (n:Event) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT publication_slug IF NOT EXISTS FOR (n:Publication) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT topic_slug IF NOT EXISTS FOR (n:Topic) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT place_slug IF NOT EXISTS FOR (n:Place) REQUIRE n.slug IS UNIQUE;
CREATE CONSTRAINT person_slug IF NOT EXISTS FOR (n:Person) REQUIRE n.slug IS UNIQUE;
// Ids of entities of each kind, so lookups that know the kind start from its own index.
CREATE INDEX programme_id IF NOT EXISTS FOR (n:Programme) ON (n.id);
CREATE INDEX organisation_id IF NOT EXISTS FOR (n:Organisation) ON (n.id);
CREATE INDEX event_id IF NOT EXISTS FOR (n:Event) ON (n.id);
CREATE INDEX publication_id IF NOT EXISTS FOR (n:Publication) ON (n.id);
CREATE INDEX topic_id IF NOT EXISTS FOR (n:Topic) ON (n.id);
CREATE INDEX place_id IF NOT EXISTS FOR (n:Place) ON (n.id);
CREATE INDEX person_id IF NOT EXISTS FOR (n:Person) ON (n.id);
