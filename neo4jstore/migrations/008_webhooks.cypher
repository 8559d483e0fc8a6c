// Webhooks (neo4jstore/webhooks.go): one node per endpoint, one per delivery attempt.
CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (w:Webhook) REQUIRE w.id IS UNIQUE;
CREATE RANGE INDEX webhook_delivery IF NOT EXISTS FOR (d:WebhookDelivery) ON (d.webhook, d.at);
