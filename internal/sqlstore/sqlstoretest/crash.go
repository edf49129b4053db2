package sqlstoretest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
)

// CrashEnv names the environment variable that makes a test binary run as
// the crash child; its value is the location of the store to open.
const CrashEnv = "VAP_SQLSTORE_CRASH_CHILD"

// crashLines is how many launches the parent sees reported before it
// kills the child.
const crashLines = 40

// crashPrefix starts each line the child prints after a launch returned.
const crashPrefix = "launched "

// Opener opens the store at a location (a file path, a schema name) for a
// crash test; it registers its cleanup with t.
type Opener func(t testing.TB, location string) session.Store

// Crash is the body of an adapter's crash test. In the child (CrashEnv
// set) it launches sessions in a loop against the store at the location,
// printing each session after its launch returned, until killed. In the
// parent it seeds the store at location, re-executes the test binary as
// the child, kills it with SIGKILL once it has reported crashLines
// launches, reopens the store and checks that every reported session is
// stored and equal to what the child saw.
func Crash(t *testing.T, location string, open Opener) {
	if loc := os.Getenv(CrashEnv); loc != "" {
		crashChild(t, open(t, loc))
		return
	}

	st := open(t, location)
	Seed(t, st)

	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), CrashEnv+"="+location)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	reported, readErr := readLaunches(out, crashLines, cmd.Process.Kill)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	require.NoError(t, readErr, "child stderr: %s", stderr.String())
	require.Len(t, reported, crashLines, "child stderr: %s", stderr.String())

	again := open(t, location)
	for _, want := range reported {
		got, err := again.GetSession(context.Background(), want.PartnerID, want.ID)
		require.NoError(t, err, "reported session %s is stored", want.ID)
		assert.Equal(t, want, normalize(got))
	}
}

// readLaunches reads the child's reported sessions, calling kill once it
// has n of them. A last line cut by the kill is ignored.
func readLaunches(r io.Reader, n int, kill func() error) ([]session.Session, error) {
	var list []session.Session
	br := bufio.NewReader(r)
	for len(list) < n {
		line, err := br.ReadString('\n')
		if err != nil {
			return list, fmt.Errorf("child output ended after %d launches: %w", len(list), err)
		}

		text, ok := strings.CutPrefix(line, crashPrefix)
		if !ok {
			continue
		}

		var s session.Session
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			return list, err
		}

		list = append(list, normalize(s))
	}

	return list, kill()
}

// crashChild launches until killed (or a bound is reached).
func crashChild(t *testing.T, st session.Store) {
	ctx := context.Background()
	svc := session.New(st)
	w := bufio.NewWriter(os.Stdout)
	for i := range 100_000 {
		res, err := svc.Launch(ctx, NewLaunch(subject(i), fmt.Sprintf("jti-crash-%d", i)))
		require.NoError(t, err)

		data, err := json.Marshal(res.Session)
		require.NoError(t, err)
		_, _ = fmt.Fprintf(w, "%s%s\n", crashPrefix, data)
		require.NoError(t, w.Flush())
	}
}

// normalize makes sessions comparable after a JSON round trip.
func normalize(s session.Session) session.Session {
	if len(s.FlaggedErrors) == 0 {
		s.FlaggedErrors = nil
	}

	return s
}
