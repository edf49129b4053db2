package reporting

import (
	"net/http"

	"github.com/virtualaipatient/integration/launch"
)

// Ids in paths and queries (cohort, assignment, session) follow the launch
// token's rule for ids, launch.CheckID: 1 to 256 bytes of valid UTF-8, no
// control or format character, not blank, not "." or "..". Checking them
// before any store is asked keeps answers the same on every store (a
// NUL or invalid UTF-8 would make PostgreSQL fail, a 503 and an error
// record each time) and stores nothing a launch could not name.

// validID reports whether id follows launch.CheckID.
func validID(id string) bool { return launch.CheckID("id", id) == nil }

// pathIDs returns the named path values, and false when one of them is not
// a valid id.
func pathIDs(r *http.Request, names ...string) ([]string, bool) {
	ids := make([]string, len(names))
	for i, name := range names {
		ids[i] = r.PathValue(name)
		if !validID(ids[i]) {
			return nil, false
		}
	}

	return ids, true
}

// badPathID is the 400 answer of a write whose path holds an invalid id.
func badPathID() *Problem {
	return badRequest("ids in the path must be 1 to 256 bytes of UTF-8 without control or " +
		"format characters, and not . or ..")
}
