package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Machine describes where the benchmark ran.
type Machine struct {
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpuModel"`
	MemoryMB int    `json:"memoryMB"`
	OS       string `json:"os"`
	Go       string `json:"go"`
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version()}
	m.CPUModel, _ = procField("/proc/cpuinfo", "model name")
	if kb, ok := procField("/proc/meminfo", "MemTotal"); ok {
		m.MemoryMB = kib(kb) * 1024 / 1e6
	}
	return m
}

// procField returns the value of the first "name: value" line of a /proc file.
func procField(path, name string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// kib parses "123 kB".
func kib(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(s, "kB")))
	return n
}

// peakRSS returns the process's peak resident set (VmHWM) in MB (10^6 bytes). The server and the load
// generator share the process, so it is an upper bound of the server's.
func peakRSS() float64 { return peakRSSOf("self") }

// peakRSSOf is the peak RSS in MB of a process ("self" or a pid).
func peakRSSOf(pid string) float64 {
	v, _ := procField("/proc/"+pid+"/status", "VmHWM")
	return float64(kib(v)) * 1024 / 1e6
}

// resetPeakRSS starts a new peak (Linux: "5" to clear_refs), so each level reports its own.
// It returns false where that is not allowed: the peak then runs from the start of the process.
func resetPeakRSS() bool { return resetPeakRSSOf("self") }

func resetPeakRSSOf(pid string) bool {
	return os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0) == nil
}

// heapWatch samples the Go heap in use while a level runs and keeps the highest value.
type heapWatch struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func watchHeap() *heapWatch {
	h := &heapWatch{stop: make(chan struct{})}
	h.done.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			h.peak = max(h.peak, ms.HeapInuse)
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

// Stop ends the sampling and returns the peak heap in use in MB (10^6 bytes).
func (h *heapWatch) Stop() float64 {
	close(h.stop)
	h.done.Wait()
	return float64(h.peak) / 1e6
}

// build names the code measured: the commit the binary was built from, and whether the working
// tree had changes (other work in progress is measured too).
func build() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, modified := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		// Built without VCS stamps (go test, or GOFLAGS=-buildvcs=false): ask git, if here.
		out, err := exec.Command("git", "describe", "--always", "--dirty", "--abbrev=12").Output()
		if err != nil {
			return "unknown (built without VCS information and no git at hand)"
		}
		return strings.TrimSpace(string(out)) + " (from git)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += " with uncommitted changes"
	}
	return rev
}
