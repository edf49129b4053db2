package partner_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/virtualaipatient/integration/partner"
)

func BenchmarkRingMint(b *testing.B) {
	ring := newRing(b, newClock().Now, newKey(b))
	req := learner("learner-001").LaunchRequest()
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if _, err := ring.Mint(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenSourceCached(b *testing.B) {
	ring := newRing(b, newClock().Now, newKey(b))
	src, err := partner.NewTokenSource(ring, apiAud)
	if err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		if _, err := src.Token(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteLaunchForm(b *testing.B) {
	e := newEnv(b)
	l := learner("learner-001")
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if err := e.client.WriteLaunchForm(ctx, httptest.NewRecorder(), l); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientLaunch measures a server-to-server launch against the real
// reporting handler over loopback HTTP: mint, post, verify, create the
// session, answer.
func BenchmarkClientLaunch(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()

	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := e.client.Launch(ctx, learner(fmt.Sprintf("learner-%d", i))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientSummary measures one authenticated reporting read with a
// cached API credential.
func BenchmarkClientSummary(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	res, err := e.client.Launch(ctx, learner("learner-001"))
	if err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.Summary(ctx, res.SessionID); err != nil {
			b.Fatal(err)
		}
	}
}
