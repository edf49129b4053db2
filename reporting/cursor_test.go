package reporting_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

// cursorOf encodes a cursor's JSON text as the handler does.
func cursorOf(text string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(text))
}

// TestCursorStrict tampers with a real cursor in every way the handler
// could read otherwise: each is 400 invalid_cursor, and the cursor as
// made still works.
func TestCursorStrict(t *testing.T) {
	e := newEnv(t)
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain"}`)
	e.completeSession(e.a, "u1", caseA)
	e.completeSession(e.a, "u2", caseA)
	e.clock.Advance(time.Minute)

	rec := e.get(e.a, "/sessions?cohort_id=cohort-1&limit=1")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	page := decode[reporting.SessionPage](t, rec)
	raw, err := base64.RawURLEncoding.DecodeString(page.NextCursor)
	require.NoError(t, err)
	var made struct {
		V int    `json:"v"`
		C string `json:"c"`
		S int64  `json:"s"`
		T int64  `json:"t"`
		I string `json:"i"`
	}
	require.NoError(t, json.Unmarshal(raw, &made), string(raw))
	require.Equal(t, fmt.Sprintf(`{"v":1,"c":"cohort-1","s":0,"t":%d,"i":%q}`, made.T, made.I),
		string(raw), "the cursor's form, as the handler makes it")

	with := func(format string, args ...any) string {
		return cursorOf(fmt.Sprintf(format, args...))
	}
	future := e.clock.Now().Add(2 * time.Hour).UnixNano()
	tests := []struct {
		name   string
		cursor string
	}{
		{name: "time zero", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":0,"i":%q}`, made.I)},
		{name: "position without time",
			cursor: with(`{"v":1,"c":"cohort-1","s":0,"i":%q}`, made.I)},
		{name: "time without id", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":%d}`, made.T)},
		{name: "negative time", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":-1,"i":%q}`, made.I)},
		{name: "negative since", cursor: with(`{"v":1,"c":"cohort-1","s":-5,"t":%d,"i":%q}`,
			made.T, made.I)},
		{name: "since after the position", cursor: with(`{"v":1,"c":"cohort-1","s":%d,"t":%d,`+
			`"i":%q}`, made.T+1, made.T, made.I)},
		{name: "position in the future", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":%d,"i":%q}`,
			future, made.I)},
		{name: "since in the future", cursor: with(`{"v":1,"s":%d}`, future)},
		{name: "unknown version", cursor: with(`{"v":2,"c":"cohort-1","s":0,"t":%d,"i":%q}`,
			made.T, made.I)},
		{name: "no version", cursor: with(`{"s":0}`)},
		{name: "extra member", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":%d,"i":%q,"x":1}`,
			made.T, made.I)},
		{name: "duplicate member", cursor: with(`{"v":1,"c":"cohort-1","s":0,"s":0,"t":%d,`+
			`"i":%q}`, made.T, made.I)},
		{name: "case-variant member", cursor: with(`{"V":1,"c":"cohort-1","s":0,"t":%d,"i":%q}`,
			made.T, made.I)},
		{name: "members reordered", cursor: with(`{"c":"cohort-1","v":1,"s":0,"t":%d,"i":%q}`,
			made.T, made.I)},
		{name: "white space", cursor: with(`{"v":1, "c":"cohort-1","s":0,"t":%d,"i":%q}`,
			made.T, made.I)},
		{name: "previews false spelled out", cursor: with(`{"v":1,"c":"cohort-1","p":false,"s":0,`+
			`"t":%d,"i":%q}`, made.T, made.I)},
		{name: "empty cohort spelled out", cursor: with(`{"v":1,"c":"","s":0}`)},
		{name: "cohort not an id", cursor: with(`{"v":1,"c":"..","s":0}`)},
		{name: "id not an id", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":%d,"i":"a\u0000b"}`,
			made.T)},
		{name: "id too long", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":%d,"i":%q}`, made.T,
			strings.Repeat("x", 257))},
		{name: "time a string", cursor: with(`{"v":1,"c":"cohort-1","s":0,"t":"%d","i":%q}`,
			made.T, made.I)},
		{name: "not an object", cursor: with(`[1]`)},
		{name: "padded base64", cursor: page.NextCursor + "="},
		{name: "standard base64", cursor: base64.StdEncoding.EncodeToString(raw)},
		{name: "not base64", cursor: "!!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.get(e.a, "/sessions?cursor="+tt.cursor)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Equal(t, reporting.CodeInvalidCursor, problemCode(t, rec))
		})
	}

	ok := e.get(e.a, "/sessions?cursor="+page.NextCursor)
	require.Equal(t, http.StatusOK, ok.Code, ok.Body.String())
	next := decode[reporting.SessionPage](t, ok)
	assert.Len(t, next.Sessions, 1, "the cursor as made goes on where it stopped")
}

// TestCursorValidValues accepts cursors with values a listing can make,
// and updated_since values from before 1970 (Go's zero time included).
func TestCursorValidValues(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{
		"/sessions?cursor=" + cursorOf(`{"v":1,"s":0}`),
		"/sessions?cursor=" + cursorOf(`{"v":1,"s":99}`),
		"/sessions?cursor=" + cursorOf(`{"v":1,"p":true,"s":0}`),
		"/sessions?updated_since=0001-01-01T00:00:00Z",
		"/sessions?updated_since=1969-12-31T23:59:59Z",
	} {
		rec := e.get(e.a, path)
		assert.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body.String())
	}

	rec := e.get(e.a, "/sessions?updated_since=0001-01-01T00:00:00Z")
	page := decode[reporting.SessionPage](t, rec)
	again := e.get(e.a, "/sessions?cursor="+page.NextCursor)
	assert.Equal(t, http.StatusOK, again.Code, "the cursor of a pre-1970 since works")

	future := e.clock.Now().Add(2 * time.Hour).Format(time.RFC3339)
	far := e.get(e.a, "/sessions?updated_since="+future)
	assert.Equal(t, http.StatusBadRequest, far.Code)
	assert.Equal(t, reporting.CodeBadRequest, problemCode(t, far))
}
