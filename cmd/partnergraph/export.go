package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/export"
	"github.com/unicri/partnergraph/neo4jstore"
)

// runExport writes the whole graph, or the network around one entity, as GraphML, GEXF or CSV
// (nodes.csv and edges.csv in a zip) to a file or to standard output. The command line acts as
// an administrator: drafts are included unless --published-only.
//
//	partnergraph export --format graphml|gexf|csv [--center ID [--depth N] [--kinds K,K] [--limit N]] [--out file] [--published-only]
func runExport(ctx context.Context, args []string) error {
	var formatName, center, kindList, out string
	var depth, limit, page int
	var publishedOnly bool
	c, fs, err := parseConfig("export", args, func(fs *flag.FlagSet) {
		fs.StringVar(&formatName, "format", "graphml", "graphml, gexf or csv (a zip of nodes.csv and edges.csv)")
		fs.StringVar(&center, "center", "", "export the network around this entity id instead of the whole graph")
		fs.IntVar(&depth, "depth", 1, "with --center: hops from the centre (1 to 3)")
		fs.StringVar(&kindList, "kinds", "", "with --center: comma-separated kinds of the nodes reached, e.g. ORGANISATION,EVENT (default all)")
		fs.IntVar(&limit, "limit", 200, "with --center: most nodes (up to 1000)")
		fs.StringVar(&out, "out", "", "file to write (default standard output); written whole or not at all")
		fs.BoolVar(&publishedOnly, "published-only", false, "leave drafts out, as anonymous readers see the graph")
		fs.IntVar(&page, "page", neo4jstore.DefaultExportPage, "rows read per statement")
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export takes no arguments besides flags; got %q", fs.Args())
	}
	format, err := export.ParseFormat(formatName)
	if err != nil {
		return errors.New(pg.ErrorMessage(err))
	}
	scope := pg.ExportScope{Center: center}
	if center != "" {
		scope.Depth, scope.Limit = depth, limit
		for _, k := range strings.Split(kindList, ",") {
			if k = strings.ToUpper(strings.TrimSpace(k)); k != "" {
				scope.Kinds = append(scope.Kinds, pg.Kind(k))
			}
		}
	} else {
		var networkOnly []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "depth" || f.Name == "kinds" || f.Name == "limit" {
				networkOnly = append(networkOnly, "--"+f.Name)
			}
		})
		if len(networkOnly) > 0 {
			return fmt.Errorf("%s apply to the network around an entity: give --center", strings.Join(networkOnly, ", "))
		}
	}
	if out == "" && format == export.CSV {
		if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return errors.New("the csv export is a zip: give --out file.zip, or redirect standard output")
		}
	}

	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close(context.Background()) }()
	exporter := db.Exporter()
	exporter.PageSize = page
	viewer := pg.Viewer{Drafts: !publishedOnly}
	description := "the partnergraph graph"
	if center != "" {
		description = fmt.Sprintf("the partnergraph network around %s, depth %d", center, depth)
	}
	if !publishedOnly {
		description += ", drafts included"
	}
	start := time.Now()
	var nodes, edges int
	err = writeOut(out, func(w io.Writer) error {
		ew, err := export.New(format, w, export.Options{Network: center != "", Description: description, Time: start})
		if err != nil {
			return err
		}
		if err := exporter.Export(ctx, viewer, scope, ew); err != nil {
			return err
		}
		nodes, edges = ew.Counts()
		return ew.Close()
	})
	if err != nil {
		if code := pg.ErrorCode(err); code != pg.EINTERNAL {
			return errors.New(pg.ErrorMessage(err))
		}
		return err
	}
	dest := out
	if dest == "" {
		dest = "standard output"
	}
	fmt.Fprintf(os.Stderr, "exported %d nodes and %d edges as %s to %s in %s\n",
		nodes, edges, format, dest, time.Since(start).Round(time.Millisecond))
	return nil
}

// writeOut runs write on standard output, or on a temporary file beside path that replaces
// path only when write succeeded: a failed export leaves no partial file behind.
func writeOut(path string, write func(io.Writer) error) error {
	if path == "" {
		return write(os.Stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }() // a no-op once renamed
	if err := write(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
