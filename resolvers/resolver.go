// Package resolvers maps GraphQL to the domain: arguments become domain filters and inputs,
// domain values become GraphQL connections, domain errors become GraphQL errors with a stable
// extensions.code. It holds no Cypher and never imports the Neo4j driver.
package resolvers

import (
	pg "github.com/unicri/partnergraph"
)

// Resolver is the root resolver. Its services are the domain's; per-request loaders come from
// the context (package loader).
type Resolver struct {
	ContentService pg.ContentService
	NetworkService pg.NetworkService
	SearchService  pg.SearchService
	StatsService   pg.StatsService
	// AnalyticsService may be nil: the network analytics then answer NOT_IMPLEMENTED.
	AnalyticsService pg.AnalyticsService
	// FeedService may be nil: the change feed then answers NOT_IMPLEMENTED.
	FeedService pg.FeedService
	// WebhookService may be nil: webhooks then answer NOT_IMPLEMENTED.
	WebhookService pg.WebhookService
}
