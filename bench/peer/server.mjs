// The peer: the Neo4j GraphQL Library on graphql-yoga over the same database as the API, as a
// user would set it up (typeDefs.graphql), for the benchmark (bench/compare.go) to measure
// side by side. Configuration from the environment: PORT, NEO4J_URI, NEO4J_USER,
// NEO4J_PASSWORD. It prints "ready" when it serves.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(process.env.NEO4J_URI ?? "bolt://127.0.0.1:7717",
  neo4j.auth.basic(process.env.NEO4J_USER ?? "neo4j", process.env.NEO4J_PASSWORD ?? "partnergraph"),
  { maxConnectionPoolSize: 50 });
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const yoga = createYoga({ schema, graphiql: false, logging: "error", maskedErrors: false });
const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 4000), "127.0.0.1", () => console.log("ready"));
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, async () => { server.close(); await driver.close(); process.exit(0); });
}
