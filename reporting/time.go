package reporting

import (
	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is the layout of every time on the wire: RFC 3339 in UTC with
// exactly three fractional digits.
const TimeLayout = "2006-01-02T15:04:05.000Z07:00"

// Time is an instant on the wire. It encodes as RFC 3339 in UTC with
// millisecond precision ("2026-03-01T09:30:00.000Z") and decodes any RFC
// 3339 time.
type Time struct {
	time.Time
}

// NewTime returns t truncated to the millisecond, in UTC, or nil when t is
// the zero time, so that unknown times are null on the wire.
func NewTime(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}

	return &Time{Time: t.UTC().Truncate(time.Millisecond)}
}

// MarshalJSON writes the time with TimeLayout in UTC.
func (t Time) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format(TimeLayout))
}

// UnmarshalJSON reads an RFC 3339 string.
func (t *Time) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("reporting: time: %w", err)
	}

	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("reporting: time: %w", err)
	}

	t.Time = v.UTC()

	return nil
}
