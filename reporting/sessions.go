package reporting

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/virtualaipatient/integration/session"
)

// Paging of GET /sessions.
const (
	// DefaultPageSize is the page size when limit is not given.
	DefaultPageSize = 100
	// MaxPageSize is the largest page size accepted.
	MaxPageSize = 500
	// DefaultChangeSettle is the default Config.ChangeSettle.
	DefaultChangeSettle = 2 * time.Second
)

// ChangeQuery selects sessions for [ChangeLister.ListChangedSessions].
type ChangeQuery struct {
	// CohortID narrows to one cohort; empty means every cohort.
	CohortID string
	// Since is the inclusive lower bound on the change time.
	Since time.Time
	// After, when set, starts strictly after this position.
	After *ChangePosition
	// Before is the exclusive upper bound on the change time.
	Before time.Time
	// Settle, when positive, also leaves out changes younger than Settle
	// by the clock that stamps change times, when that is the store's own
	// (a database's clock) rather than the caller's: a second bound, like
	// Before, that holds whatever the skew between the two clocks. Stores
	// stamping with the caller's kind of clock (a Go clock) may ignore it.
	Settle time.Duration
	// IncludePreviews lists instructors' preview sessions too; by default
	// they are left out.
	IncludePreviews bool
	// Limit caps the number of sessions (at least 1).
	Limit int
}

// ChangePosition is a place in the (change time, session id) order.
type ChangePosition struct {
	// ChangedAt is the session's change time.
	ChangedAt time.Time
	// SessionID is the session's id.
	SessionID string
}

// ChangedSession is a session with the time it was last written.
type ChangedSession struct {
	// Session is the session as stored.
	Session session.Session
	// ChangedAt is when the stored session was last written (any revision
	// change), stamped by the writing transaction.
	ChangedAt time.Time
}

// ChangeLister lists sessions by change time, for a partner's gradebook
// sync. Stores must keep a change time per session, updated with every
// write, and an index on (partner, cohort, change time, id).
//
// NOTE: paging by change time is exact only if every write becomes visible
// to readers (commits) before the change time it was stamped with is older
// than the settle window ([Config.ChangeSettle]): a reader holds back
// younger changes, so that one stamped earlier but committed later is not
// paged past. Stores shared by several processes stamp with one clock, the
// database's (PostgreSQL: clock_timestamp()), so that clock skew between
// processes does not count; what remains is the assumption that no
// transaction commits more than the settle window after its session write.
type ChangeLister interface {
	// ListChangedSessions returns the partner's sessions (of q.CohortID
	// when set) whose change time t has q.Since <= t < q.Before and whose
	// (t, id) is after *q.After when set, ordered by (t, id), at most
	// q.Limit. Preview sessions are left out unless q.IncludePreviews is
	// set, and anonymised ones ([session.Session.Anonymised]) always. A
	// session of another partner is never returned; an unknown cohort
	// gives an empty list and a nil error.
	ListChangedSessions(ctx context.Context, partnerID string,
		q ChangeQuery) ([]ChangedSession, error)
}

// handleGetSession returns one session summary. An anonymised session is
// absent: it lives on in analytics only. So is an invalid id.
func (h *Handler) handleGetSession(w http.ResponseWriter, r *http.Request) {
	if _, p := readQuery(r); p != nil {
		writeProblem(w, p)
		return
	}

	ids, ok := pathIDs(r, "session")
	if !ok {
		writeProblem(w, notFound())
		return
	}

	s, err := h.cfg.Service.GetSession(r.Context(), partnerOf(r), ids[0])
	if err == nil && s.Anonymised() {
		err = session.ErrNotFound
	}

	if err != nil {
		writeProblem(w, lookupProblem(err))
		return
	}

	sum, err := h.summary(r.Context(), s)
	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	writeJSON(w, http.StatusOK, sum)
}

func (h *Handler) summary(ctx context.Context, s session.Session) (SessionSummary, error) {
	title, err := h.caseTitle(ctx, s.CaseID, s.CaseVersion)
	if err != nil {
		return SessionSummary{}, err
	}

	return NewSessionSummary(s, title, h.now()), nil
}

// cursor is the decoded form of SessionPage.NextCursor: unpadded base64url
// of a JSON object. It is not signed: tenancy does not rest on it, as every
// listing is scoped to the caller's partner in the query itself.
type cursor struct {
	// Version is cursorVersion.
	Version int `json:"v"`
	// Cohort is the cohort_id of the listing; absent for every cohort.
	Cohort string `json:"c,omitempty"`
	// Previews is include_previews; absent when false.
	Previews bool `json:"p,omitempty"`
	// Since is updated_since in Unix nanoseconds; 0 without one.
	Since int64 `json:"s"`
	// At and ID are the last position listed, both absent before the
	// first session: its change time in Unix nanoseconds and its id.
	At int64  `json:"t,omitempty"`
	ID string `json:"i,omitempty"`
}

// cursorVersion is the only cursor version there is.
const cursorVersion = 1

// maxCursorBytes caps an encoded cursor: a 256-byte cohort id and session
// id fit, even with every character escaped, with room to spare.
const maxCursorBytes = 8192

// cursorClockSlack is how far past the handler's clock a cursor's times may
// lie, and updated_since too: change times are stamped by the store's clock
// (a database's, or another instance's), which may run ahead of this one.
const cursorClockSlack = time.Hour

// cursorJSON are the decoding rules of a cursor: the exact member names,
// each once.
var cursorJSON = jsonv2.JoinOptions(
	jsonv2.MatchCaseInsensitiveNames(false),
	jsonv2.RejectUnknownMembers(true),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor strictly: canonical base64url, a JSON object
// of the known members each once, the known version, and the very bytes
// encode would write for it (no white space, no member spelled out with
// its zero value, members in order), so that a cursor VAP did not make is
// refused rather than read some other way. Its values must be ones a
// listing can produce at now: see cursor.valid.
func decodeCursor(s string, now time.Time) (cursor, bool) {
	if s == "" || len(s) > maxCursorBytes {
		return cursor{}, false
	}

	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return cursor{}, false
	}

	var c cursor
	if err := jsonv2.Unmarshal(b, &c, cursorJSON); err != nil {
		return cursor{}, false
	}

	return c, c.encode() == s && c.valid(now)
}

// valid reports whether the cursor's values are ones a listing can
// produce at now: the known version; a cohort, when set, and a session id
// that are valid ids; a since bound that updated_since can give
// (validSince); and a position, when set, inside the listing's window:
// 0 < t, since <= t, and t not past the clock's slack. A position has both
// its time and its id, or neither.
func (c cursor) valid(now time.Time) bool {
	switch {
	case c.Version != cursorVersion:
		return false
	case c.Cohort != "" && !validID(c.Cohort):
		return false
	case !validSince(c.Since, now):
		return false
	case c.ID == "":
		return c.At == 0
	}

	return validID(c.ID) && c.At > 0 && c.At >= c.Since && c.At <= latestNano(now)
}

// validSince reports whether ns, in Unix nanoseconds, is a since bound that
// updated_since can give: not before 1970 (earlier times are read as 1970,
// before every change) and not past the clock's slack.
func validSince(ns int64, now time.Time) bool {
	return ns >= 0 && ns <= latestNano(now)
}

// latestNano is the latest change time a listing at now may have seen, in
// Unix nanoseconds.
func latestNano(now time.Time) int64 {
	return now.Add(cursorClockSlack).UnixNano()
}

// handleListSessions lists summaries changed since a time, with a cursor.
func (h *Handler) handleListSessions(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Changes == nil {
		writeProblem(w, unavailable())
		return
	}

	cur, limit, p := readListQuery(r, h.now())
	if p != nil {
		writeProblem(w, p)
		return
	}

	partner := partnerOf(r)
	if cur.Cohort != "" && !validID(cur.Cohort) {
		writeProblem(w, notFound())
		return
	}

	if cur.Cohort != "" {
		if _, err := h.cfg.Service.GetCohort(r.Context(), partner, cur.Cohort); err != nil {
			writeProblem(w, lookupProblem(err))
			return
		}
	}

	page, err := h.listPage(r.Context(), partner, cur, limit)
	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	writeJSON(w, http.StatusOK, page)
}

// listParameters are the query parameters of GET /sessions.
var listParameters = []string{"cohort_id", "updated_since", "cursor", "limit", "include_previews"}

// readListQuery reads cohort_id, updated_since, include_previews, cursor
// and limit at now. A cursor carries the cohort, time and preview choice it
// was made for; the others must then agree or be absent.
func readListQuery(r *http.Request, now time.Time) (cursor, int, *Problem) {
	q, p := readQuery(r, listParameters...)
	if p != nil {
		return cursor{}, 0, p
	}

	limit := DefaultPageSize
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 || n > MaxPageSize {
			return cursor{}, 0, badRequest("limit must be between 1 and 500")
		}

		limit = n
	}

	previews, p := readPreviews(q)
	if p != nil {
		return cursor{}, 0, p
	}

	if q.Has("cursor") {
		c, ok := decodeCursor(q.Get("cursor"), now)
		if !ok || q.Has("updated_since") ||
			(q.Has("cohort_id") && q.Get("cohort_id") != c.Cohort) ||
			(q.Has("include_previews") && previews != c.Previews) {
			return cursor{}, 0, newProblem(http.StatusBadRequest, CodeInvalidCursor,
				"pass next_cursor unchanged, without updated_since or another cohort_id "+
					"or include_previews")
		}

		return c, limit, nil
	}

	c := cursor{Version: cursorVersion, Cohort: q.Get("cohort_id"), Previews: previews}
	if q.Has("updated_since") {
		since, p := readSince(q.Get("updated_since"), now)
		if p != nil {
			return cursor{}, 0, p
		}

		c.Since = since
	}

	return c, limit, nil
}

// readSince reads updated_since as Unix nanoseconds: a time before 1970
// (such as Go's zero time, 0001-01-01T00:00:00Z) lists from 1970, before
// every change; a time more than an hour ahead of the clock is refused, as
// it lists nothing and would likely be a mistake.
func readSince(s string, now time.Time) (int64, *Problem) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, badRequest("updated_since must be an RFC 3339 time")
	}

	if t.Before(time.Unix(0, 0)) {
		return 0, nil
	}

	if t.After(now.Add(cursorClockSlack)) {
		return 0, badRequest("updated_since must not be more than an hour in the future")
	}

	return t.UnixNano(), nil
}

// readPreviews reads include_previews: true or false, default false.
func readPreviews(q url.Values) (bool, *Problem) {
	if !q.Has("include_previews") {
		return false, nil
	}

	switch q.Get("include_previews") {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}

	return false, badRequest("include_previews must be true or false")
}

func badRequest(detail string) *Problem {
	return newProblem(http.StatusBadRequest, CodeBadRequest, detail)
}

func (h *Handler) listPage(ctx context.Context, partner string, cur cursor,
	limit int) (SessionPage, error) {
	q := ChangeQuery{CohortID: cur.Cohort, Since: time.Unix(0, cur.Since).UTC(),
		Before: h.now().Add(-h.cfg.ChangeSettle), Settle: h.cfg.ChangeSettle,
		IncludePreviews: cur.Previews, Limit: limit + 1}
	if cur.ID != "" {
		q.After = &ChangePosition{ChangedAt: time.Unix(0, cur.At).UTC(), SessionID: cur.ID}
	}

	list, err := h.cfg.Changes.ListChangedSessions(ctx, partner, q)
	if err != nil {
		return SessionPage{}, err
	}

	page := SessionPage{Sessions: []SessionSummary{}, HasMore: len(list) > limit}
	list = list[:min(len(list), limit)]
	for _, c := range list {
		if c.Session.PartnerID != partner {
			return SessionPage{}, errors.New("reporting: change lister crossed partners")
		}

		// A lister written before previews and anonymised sessions were
		// left out may still return them: skip them, cursor and all.
		cur.At, cur.ID = c.ChangedAt.UnixNano(), c.Session.ID
		if c.Session.Anonymised() || (c.Session.Preview && !cur.Previews) {
			continue
		}

		sum, err := h.summary(ctx, c.Session)
		if err != nil {
			return SessionPage{}, err
		}

		page.Sessions = append(page.Sessions, sum)
	}

	page.NextCursor = cur.encode()

	return page, nil
}
