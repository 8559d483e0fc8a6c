package compile

import (
	"bytes"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	pg "github.com/unicri/partnergraph"
)

// The writer walks the selection again, now with the answer, and writes the JSON gqlgen
// would have written: fields in selection order under their response names, scalars through
// gqlgen's own marshallers, so the bytes are the same.

func (p *plan) writeRoot(w *bytes.Buffer, f graphql.CollectedField, r pg.Read, res *pg.ReadResult) {
	switch {
	case f.Name == "nodes":
		w.WriteByte('[')
		for i, it := range res.Items {
			if i > 0 {
				w.WriteByte(',')
			}
			p.entityOrNull(w, it, f, "Node")
		}
		w.WriteByte(']')
	case f.Name == "node" || lookups[f.Name] != "":
		var it pg.ReadItem
		if len(res.Items) > 0 {
			it = res.Items[0]
		}
		p.entityOrNull(w, it, f, f.Definition.Type.Name())
	default: // lists and co-organised events
		p.connectionValue(w, f, res, typeOfKind[r.Kind], nil)
	}
}

func (p *plan) entityOrNull(w *bytes.Buffer, it pg.ReadItem, f graphql.CollectedField, static string) {
	if it.Kind == "" {
		if f.Definition.Type.NonNull {
			p.invalid = true
		}
		w.WriteString("null")
		return
	}
	p.entityValue(w, it, f.Selections, "")
}

func writeKey(w *bytes.Buffer, i int, alias string) {
	if i > 0 {
		w.WriteByte(',')
	}
	graphql.MarshalString(alias).MarshalGQL(w)
	w.WriteByte(':')
}

// connectionValue writes a connection: its total, page info, edges and nodes as selected.
func (p *plan) connectionValue(w *bytes.Buffer, f graphql.CollectedField, res *pg.ReadResult, nodeType string, rf *relField) {
	if res == nil {
		res = &pg.ReadResult{}
	}
	connType := f.Definition.Type.Name()
	w.WriteByte('{')
	for i, cf := range graphql.CollectFields(p.op, f.Selections, []string{connType}) {
		writeKey(w, i, cf.Alias)
		switch cf.Name {
		case "__typename":
			graphql.MarshalString(connType).MarshalGQL(w)
		case "totalCount":
			graphql.MarshalInt(res.Total).MarshalGQL(w)
		case "pageInfo":
			p.pageInfo(w, cf, res)
		case "edges":
			edgeType := cf.Definition.Type.Name()
			w.WriteByte('[')
			for j, it := range res.Items {
				if j > 0 {
					w.WriteByte(',')
				}
				p.edge(w, cf, edgeType, it)
			}
			w.WriteByte(']')
		case "nodes":
			w.WriteByte('[')
			for j, it := range res.Items {
				if j > 0 {
					w.WriteByte(',')
				}
				p.entityValue(w, it, cf.Selections, "n")
			}
			w.WriteByte(']')
		}
	}
	w.WriteByte('}')
}

func (p *plan) pageInfo(w *bytes.Buffer, f graphql.CollectedField, res *pg.ReadResult) {
	w.WriteByte('{')
	for i, pf := range graphql.CollectFields(p.op, f.Selections, []string{"PageInfo"}) {
		writeKey(w, i, pf.Alias)
		switch pf.Name {
		case "__typename":
			graphql.MarshalString("PageInfo").MarshalGQL(w)
		case "hasNextPage":
			graphql.MarshalBoolean(res.HasNextPage).MarshalGQL(w)
		case "hasPreviousPage":
			graphql.MarshalBoolean(res.HasPreviousPage).MarshalGQL(w)
		case "startCursor", "endCursor":
			if len(res.Items) == 0 {
				w.WriteString("null")
				continue
			}
			it := res.Items[0]
			if pf.Name == "endCursor" {
				it = res.Items[len(res.Items)-1]
			}
			graphql.MarshalString(it.Cursor).MarshalGQL(w)
		}
	}
	w.WriteByte('}')
}

func (p *plan) edge(w *bytes.Buffer, f graphql.CollectedField, edgeType string, it pg.ReadItem) {
	w.WriteByte('{')
	for i, ef := range graphql.CollectFields(p.op, f.Selections, []string{edgeType}) {
		writeKey(w, i, ef.Alias)
		switch ef.Name {
		case "__typename":
			graphql.MarshalString(edgeType).MarshalGQL(w)
		case "cursor":
			graphql.MarshalString(it.Cursor).MarshalGQL(w)
		case "node":
			p.entityValue(w, it, ef.Selections, "e")
		case "role":
			if it.Relation == nil || it.Relation.Role == "" {
				w.WriteString("null")
				continue
			}
			graphql.MarshalString(string(it.Relation.Role)).MarshalGQL(w)
		case "relation":
			graphql.MarshalString(string(it.Relation.Type)).MarshalGQL(w)
		case "title":
			if it.Relation == nil || it.Relation.Title == nil {
				w.WriteString("null")
				continue
			}
			graphql.MarshalString(*it.Relation.Title).MarshalGQL(w)
		}
	}
	w.WriteByte('}')
}

// entityValue writes one entity as its concrete type's fields selected at this position.
func (p *plan) entityValue(w *bytes.Buffer, it pg.ReadItem, sel ast.SelectionSet, pos string) {
	typeName := typeOfKind[it.Kind]
	def := p.c.schema.Types[typeName]
	w.WriteByte('{')
	for i, f := range graphql.CollectFields(p.op, sel, satisfies(it.Kind)) {
		writeKey(w, i, f.Alias)
		if f.Name == "__typename" {
			graphql.MarshalString(typeName).MarshalGQL(w)
			continue
		}
		if typeName == "Organisation" && f.Name == "collaborators" {
			p.collaboratorsValue(w, f, it.Relations[relKey(pos, typeName, f.Alias)])
			continue
		}
		if rf, ok := relFields[typeName][f.Name]; ok {
			res := it.Relations[relKey(pos, typeName, f.Alias)]
			switch {
			case rf.one && (rf.noneFor != "" && it.Props["kind"] == rf.noneFor || res == nil || len(res.Items) == 0):
				w.WriteString("null")
			case rf.one:
				p.entityValue(w, res.Items[0], f.Selections, "")
			default:
				nodeType := "Participant"
				if rf.kind != "" {
					nodeType = typeOfKind[rf.kind]
				}
				p.connectionValue(w, f, res, nodeType, &rf)
			}
			continue
		}
		fd := def.Fields.ForName(f.Name)
		p.scalar(w, fd.Type.Name(), fd.Type.NonNull, it.Props[f.Name])
	}
	w.WriteByte('}')
}

// scalar writes a stored value as the field's GraphQL type; a missing value of a non-null
// field marks the answer invalid (the resolvers then answer, with their error).
func (p *plan) scalar(w *bytes.Buffer, typeName string, nonNull bool, v any) {
	if v == nil {
		if nonNull {
			p.invalid = true
		}
		w.WriteString("null")
		return
	}
	switch x := v.(type) {
	case string:
		switch typeName {
		case "ID":
			graphql.MarshalID(x).MarshalGQL(w)
		case "Date":
			w.WriteString(strconv.Quote(x)) // as scalars.MarshalDate writes it
		default: // String and enums
			graphql.MarshalString(x).MarshalGQL(w)
		}
	case int64:
		graphql.MarshalInt(int(x)).MarshalGQL(w)
	case float64:
		graphql.MarshalFloat(x).MarshalGQL(w)
	case bool:
		graphql.MarshalBoolean(x).MarshalGQL(w)
	case time.Time:
		graphql.MarshalTime(x).MarshalGQL(w)
	default:
		p.invalid = true
		w.WriteString("null")
	}
}

// collaboratorsValue writes a CollaboratorConnection: each node is the partner item, with its
// score and shared lists.
func (p *plan) collaboratorsValue(w *bytes.Buffer, f graphql.CollectedField, res *pg.ReadResult) {
	if res == nil {
		res = &pg.ReadResult{}
	}
	w.WriteByte('{')
	for i, cf := range graphql.CollectFields(p.op, f.Selections, []string{"CollaboratorConnection"}) {
		writeKey(w, i, cf.Alias)
		switch cf.Name {
		case "__typename":
			graphql.MarshalString("CollaboratorConnection").MarshalGQL(w)
		case "totalCount":
			graphql.MarshalInt(res.Total).MarshalGQL(w)
		case "pageInfo":
			p.pageInfo(w, cf, res)
		case "edges":
			w.WriteByte('[')
			for j, it := range res.Items {
				if j > 0 {
					w.WriteByte(',')
				}
				w.WriteByte('{')
				for k, ef := range graphql.CollectFields(p.op, cf.Selections, []string{"CollaboratorEdge"}) {
					writeKey(w, k, ef.Alias)
					switch ef.Name {
					case "__typename":
						graphql.MarshalString("CollaboratorEdge").MarshalGQL(w)
					case "cursor":
						graphql.MarshalString(it.Cursor).MarshalGQL(w)
					case "node":
						p.collaborator(w, ef, it)
					}
				}
				w.WriteByte('}')
			}
			w.WriteByte(']')
		}
	}
	w.WriteByte('}')
}

func (p *plan) collaborator(w *bytes.Buffer, f graphql.CollectedField, it pg.ReadItem) {
	w.WriteByte('{')
	for i, nf := range graphql.CollectFields(p.op, f.Selections, []string{"Collaborator"}) {
		writeKey(w, i, nf.Alias)
		switch nf.Name {
		case "__typename":
			graphql.MarshalString("Collaborator").MarshalGQL(w)
		case "score":
			p.scalar(w, "Int", true, it.Props["score"])
		case "organisation":
			p.entityValue(w, it, nf.Selections, "o")
		case "sharedEvents", "sharedPublications", "sharedProgrammes":
			w.WriteByte('[')
			if list := it.Relations[nf.Name]; list != nil {
				items := list.Items
				if first, _ := intArg(p.args(nf)["first"]); first != nil && *first < len(items) {
					items = items[:*first]
				}
				for j, si := range items {
					if j > 0 {
						w.WriteByte(',')
					}
					p.entityValue(w, si, nf.Selections, "")
				}
			}
			w.WriteByte(']')
		}
	}
	w.WriteByte('}')
}
