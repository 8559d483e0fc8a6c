package server

import (
	"os"
	"runtime/debug"
)

// DefaultMemoryLimit is the Go runtime's soft memory limit a server sets for itself when the
// environment names none. Near it the garbage collector runs more often instead of letting the
// heap double: without it, MAX_IN_FLIGHT executions of the largest documents and the answers
// still being written peak above 200 MB of RSS; with it they stay under. The runtime lets the
// heap pass the limit rather than spend more than half the CPU collecting, so a heap that
// truly needs more gets it.
const DefaultMemoryLimit = 150 << 20

// SetMemoryLimit sets the runtime's soft memory limit to n bytes (n <= 0: DefaultMemoryLimit)
// and returns the limit in force. GOMEMLIMIT in the environment wins: the runtime has read it.
func SetMemoryLimit(n int64) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	if n <= 0 {
		n = DefaultMemoryLimit
	}
	debug.SetMemoryLimit(n)
	return n
}
