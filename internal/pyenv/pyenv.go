// Package pyenv finds, for tests, the Python with networkx that checks the project's answers
// independently: the exports read back, the network analytics recomputed.
package pyenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	once    sync.Once
	path    string
	failure string
)

// Python returns a Python with networkx: EXPORT_PYTHON when set (make sets it), else the
// project's virtualenv, which export/testdata/python-env.sh creates or finds (the script
// `make export-python` runs). No Python is a failure, not a skip: the answers must be proven
// by a real consumer.
func Python(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if p := os.Getenv("EXPORT_PYTHON"); p != "" {
			if out, err := exec.Command(p, "-c", "import networkx").CombinedOutput(); err != nil {
				failure = fmt.Sprintf("EXPORT_PYTHON=%s cannot import networkx (%v): %s", p, err, out)
				return
			}
			path = p
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("sh", filepath.Join(root, "export", "testdata", "python-env.sh"), filepath.Join(root, ".data", "export-venv"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			failure = err.Error() + ": " + stderr.String()
			return
		}
		path = strings.TrimSpace(string(out))
	})
	if path == "" {
		tb.Fatalf("these tests check answers with Python and networkx, and could not set them up: %s\n"+
			"Install python3 (3.11+, with venv) and run `make export-python`, or set EXPORT_PYTHON to a python that has networkx 3.6.1.", failure)
	}
	return path
}
