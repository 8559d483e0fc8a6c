package server

import (
	"html/template"
	"net/http"

	"github.com/unicri/partnergraph/docs"
)

// graphiql serves the GraphiQL playground (from the jsDelivr CDN, the same assets gqlgen's
// playground uses) opened with one tab per example document in docs/queries.
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
<style>body{margin:0}#graphiql{height:100vh}</style>
<script src="https://cdn.jsdelivr.net/npm/react@18.2.0/umd/react.production.min.js" integrity="sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY=" crossorigin="anonymous"></script>
<script src="https://cdn.jsdelivr.net/npm/react-dom@18.2.0/umd/react-dom.production.min.js" integrity="sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc=" crossorigin="anonymous"></script>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.css" integrity="sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU=" crossorigin="anonymous">
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.js" integrity="sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs=" crossorigin="anonymous"></script>
<script>
const tabs = {{.Tabs}};
const fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql' });
ReactDOM.render(React.createElement(GraphiQL, {
  fetcher, defaultTabs: tabs, defaultEditorToolsVisibility: true, isHeadersEditorEnabled: true,
}), document.getElementById('graphiql'));
</script>
</body>
</html>
`))
