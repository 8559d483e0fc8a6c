package server

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAdmissionQueuesByLaneThenRefuses: with the one heavy slot taken, a cheap operation still
// starts at once and another heavy one waits; if its deadline passes first it is refused (and
// counted), and once the slot is free the next heavy one runs.
func TestAdmissionQueuesByLaneThenRefuses(t *testing.T) {
	m := NewMetrics()
	a := newAdmission(Limits{MaxInFlight: 1, MaxHeavyInFlight: 1, HeavyCost: 100}, m)

	releaseHeavy, ok := a.admit(context.Background(), 1000)
	if !ok {
		t.Fatal("the first heavy operation was not admitted")
	}
	releaseLight, ok := a.admit(context.Background(), 10)
	if !ok {
		t.Fatal("a cheap operation waited behind a heavy one")
	}
	releaseLight()
	releaseLight() // a second release must not free a slot twice

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, ok := a.admit(ctx, 1000); ok {
		t.Fatal("a second heavy operation was admitted while the heavy slot was taken")
	}
	metrics := httptest.NewRecorder()
	m.Handler().ServeHTTP(metrics, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(metrics.Body.String(), "partnergraph_busy_refused_total 1\n") {
		t.Errorf("the refusal is not counted in /metrics")
	}

	admitted := make(chan bool)
	go func() {
		release, ok := a.admit(context.Background(), 1000)
		if ok {
			release()
		}
		admitted <- ok
	}()
	releaseHeavy()
	if !<-admitted {
		t.Error("the queued heavy operation did not run once the slot was free")
	}
	// The light lane has exactly one slot: a second cheap operation waits for it.
	r1, _ := a.admit(context.Background(), 1)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, ok := a.admit(ctx2, 1); ok {
		t.Error("the light lane admitted more than its slots")
	}
	r1()
}
