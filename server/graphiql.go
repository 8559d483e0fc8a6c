package server

import (
	"html/template"
	"net/http"

	"github.com/unicri/partnergraph/docs"
)

// graphiql serves the GraphiQL playground opened with one tab per example document in
// docs/queries. Its scripts and styles are GraphiQL's and React's browser builds from npm,
// which the web build copies into /assets/ (web/scripts/graphiql-assets.mjs): the playground
// needs nothing from outside this server. The integrity hashes are those of the published
// files, as the CDN served them.
func graphiql() http.Handler {
	tabs := []map[string]string{}
	for _, ex := range docs.Examples() {
		tab := map[string]string{"query": ex.Query}
		if ex.Variables != "" {
			tab["variables"] = ex.Variables
		}
		tabs = append(tabs, tab)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = graphiqlPage.Execute(w, map[string]any{"Tabs": tabs})
	})
}

var graphiqlPage = template.Must(template.New("graphiql").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>partnergraph · GraphiQL</title>
<link rel="icon" href="data:,">
<style>body{margin:0}#graphiql{height:100vh}</style>
<script src="/assets/react-18.2.0.min.js" integrity="sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="></script>
<script src="/assets/react-dom-18.2.0.min.js" integrity="sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="></script>
<link rel="stylesheet" href="/assets/graphiql-4.1.2.min.css" integrity="sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU=">
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="/assets/graphiql-4.1.2.min.js" integrity="sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="></script>
<script>
const tabs = {{.Tabs}};
const fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql' });
// GraphiQL 4 fills the variables editor of the first tab only from the variables prop, not
// from defaultTabs: without it the first example runs without its variables.
ReactDOM.render(React.createElement(GraphiQL, {
  fetcher, defaultTabs: tabs, variables: tabs[0] && tabs[0].variables,
  defaultEditorToolsVisibility: true, isHeadersEditorEnabled: true,
}), document.getElementById('graphiql'));
</script>
</body>
</html>
`))
