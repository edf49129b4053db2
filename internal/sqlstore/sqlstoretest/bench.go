package sqlstoretest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/virtualaipatient/integration/session"
)

// BenchmarkLaunch measures launch-to-session on st: each iteration is one
// Service.Launch of a new token by a new learner (consume the token,
// create the learner, create the session; the ad-hoc assignment exists
// after the first), committed.
func BenchmarkLaunch(b *testing.B, st session.Store) {
	ctx := context.Background()
	Seed(b, st)
	svc := session.New(st)

	i := 0
	for b.Loop() {
		l := NewLaunch(subject(i), fmt.Sprintf("jti-bench-%d", i))
		if _, err := svc.Launch(ctx, l); err != nil {
			b.Fatal(err)
		}

		i++
	}
}

// BenchmarkLaunchParallel is BenchmarkLaunch with launches running
// concurrently, as several requests of one instance would.
func BenchmarkLaunchParallel(b *testing.B, st session.Store) {
	ctx := context.Background()
	Seed(b, st)
	svc := session.New(st)

	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("p%d", counter.Add(1))
			if _, err := svc.Launch(ctx, NewLaunch("user-"+id, "jti-"+id)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// counter numbers the parallel benchmark's launches.
var counter atomic.Int64
