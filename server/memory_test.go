package server

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestSetMemoryLimit(t *testing.T) {
	t.Cleanup(func() { debug.SetMemoryLimit(math.MaxInt64) })
	t.Setenv("GOMEMLIMIT", "")
	if got := SetMemoryLimit(0); got != DefaultMemoryLimit || debug.SetMemoryLimit(-1) != DefaultMemoryLimit {
		t.Errorf("SetMemoryLimit(0) = %d, runtime %d; want the default %d", got, debug.SetMemoryLimit(-1), DefaultMemoryLimit)
	}
	if got := SetMemoryLimit(300 << 20); got != 300<<20 || debug.SetMemoryLimit(-1) != 300<<20 {
		t.Errorf("SetMemoryLimit(300 MiB) = %d, runtime %d", got, debug.SetMemoryLimit(-1))
	}
	// GOMEMLIMIT set: the runtime read it at start; SetMemoryLimit leaves the limit alone.
	debug.SetMemoryLimit(1 << 30)
	t.Setenv("GOMEMLIMIT", "1GiB")
	if got := SetMemoryLimit(0); got != 1<<30 || debug.SetMemoryLimit(-1) != 1<<30 {
		t.Errorf("with GOMEMLIMIT set: SetMemoryLimit(0) = %d, runtime %d; want 1 GiB kept", got, debug.SetMemoryLimit(-1))
	}
}
