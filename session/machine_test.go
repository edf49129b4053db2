package session_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
)

func TestNext(t *testing.T) {
	allowed := map[session.Status]map[session.Event]session.Status{
		session.StatusCreated: {
			session.EventStart: session.StatusInProgress, session.EventExpire: session.StatusVoided,
			session.EventVoid: session.StatusVoided,
		},
		session.StatusInProgress: {
			session.EventSuspend: session.StatusSuspended, session.EventComplete: session.StatusCompleted,
			session.EventAbandon: session.StatusAbandoned, session.EventVoid: session.StatusVoided,
			session.EventActivity: session.StatusInProgress,
		},
		session.StatusSuspended: {
			session.EventResume: session.StatusInProgress, session.EventAbandon: session.StatusAbandoned,
			session.EventVoid: session.StatusVoided,
		},
		session.StatusCompleted: {
			session.EventRegrade: session.StatusCompleted, session.EventVoid: session.StatusVoided,
		},
		session.StatusAbandoned: {session.EventVoid: session.StatusVoided},
		session.StatusVoided:    {},
	}
	events := []session.Event{
		session.EventStart, session.EventExpire, session.EventSuspend, session.EventResume,
		session.EventComplete, session.EventAbandon, session.EventVoid, session.EventRegrade,
		session.EventActivity,
	}
	for from, valid := range allowed {
		for _, ev := range events {
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				to, err := session.Next(from, ev)
				want, ok := valid[ev]
				if ok {
					require.NoError(t, err)
					assert.Equal(t, want, to)
					return
				}

				var te *session.TransitionError
				require.ErrorAs(t, err, &te)
				assert.ErrorIs(t, err, session.ErrInvalidTransition)
				assert.Equal(t, from, te.From)
				assert.Equal(t, ev, te.Event)
			})
		}
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		name         string
		in           string
		major, minor int
		ok           bool
	}{
		{name: "simple", in: "1.0", major: 1, ok: true},
		{name: "multi digit", in: "12.34", major: 12, minor: 34, ok: true},
		{name: "major zero", in: "0.1"},
		{name: "leading zero", in: "01.0"},
		{name: "sign", in: "+1.0"},
		{name: "no dot", in: "1"},
		{name: "three parts", in: "1.0.0"},
		{name: "empty minor", in: "1."},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			major, minor, err := session.ParseVersion(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, session.ErrInvalid)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, []int{tt.major, tt.minor}, []int{major, minor})
			assert.Equal(t, tt.in, session.FormatVersion(major, minor))
		})
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, seed := range []string{"1.0", "10.25", "0.0", "1.", ".1", "1.0.0", "٣.1"} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, in string) {
		major, minor, err := session.ParseVersion(in)
		if err != nil {
			return
		}

		if major < 1 || minor < 0 || session.FormatVersion(major, minor) != in {
			t.Fatalf("ParseVersion(%q) = %d, %d", in, major, minor)
		}
	})
}
