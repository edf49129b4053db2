package scoring

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
)

// Severity grades the harm a flagged act would have caused in real care.
// Severities are ordered: SeverityMinor < SeverityModerate < SeverityMajor
// < SeverityCritical. The zero value is not a severity; Evaluate rejects it.
type Severity int

// Severities, from least to most harmful.
const (
	// SeverityMinor is about no harm.
	SeverityMinor Severity = iota + 1
	// SeverityModerate is mild harm (extra observation).
	SeverityModerate
	// SeverityMajor is moderate harm (extra intervention, longer stay).
	SeverityMajor
	// SeverityCritical is severe harm or death.
	SeverityCritical
)

var severityNames = [...]string{"", "minor", "moderate", "major", "critical"}

// Valid reports whether s is one of the four severities.
func (s Severity) Valid() bool { return s >= SeverityMinor && s <= SeverityCritical }

// String returns "minor", "moderate", "major" or "critical", or "" for an
// invalid severity.
func (s Severity) String() string {
	if !s.Valid() {
		return ""
	}

	return severityNames[s]
}

// MarshalText encodes s as its name; an invalid severity is an error.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("severity", "", ErrSeverity)
	}

	return []byte(s.String()), nil
}

// UnmarshalText decodes a severity name and rejects anything else with
// ErrUnknownValue.
func (s *Severity) UnmarshalText(text []byte) error {
	for i := SeverityMinor; i <= SeverityCritical; i++ {
		if string(text) == severityNames[i] {
			*s = i
			return nil
		}
	}

	return invalid("severity", string(text), ErrUnknownValue)
}

// Detector says how a flagged error was detected. The zero value means the
// grader recorded no detector; it is the one enum value "" stands for.
type Detector string

// Detectors.
const (
	// DetectedByRule is a deterministic rule of the case.
	DetectedByRule Detector = "rule"
	// DetectedByAIModel is the grading model.
	DetectedByAIModel Detector = "ai_model"
	// DetectedByHuman is a human rater.
	DetectedByHuman Detector = "human"
)

// UnmarshalText accepts the detectors or "" (none recorded) and rejects
// anything else with ErrUnknownValue.
//
// NOTE: unlike the other enums of this package, Detector accepts the empty
// string: the session summary a partner receives always carries
// detected_by, empty when no detector was recorded, and a partner must be
// able to decode it. No scoring rule depends on the detector.
func (d *Detector) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*d = ""
		return nil
	}

	return decodeEnum(d, text, "detected_by", DetectedByRule, DetectedByAIModel, DetectedByHuman)
}

// ErrorStatus says whether a flagged error still counts.
type ErrorStatus string

// Flagged error statuses. The zero value counts as ErrorActive.
const (
	// ErrorActive is a flagged error that counts.
	ErrorActive ErrorStatus = "active"
	// ErrorDismissed is a flagged error a reviewer dismissed: it never
	// affects a score, an outcome or analytics.
	ErrorDismissed ErrorStatus = "dismissed"
)

// UnmarshalText accepts the statuses and rejects anything else, including
// the empty string, with ErrUnknownValue.
func (st *ErrorStatus) UnmarshalText(text []byte) error {
	return decodeEnum(st, text, "status", ErrorActive, ErrorDismissed)
}

// FlaggedError is an error a learner made during a session.
type FlaggedError struct {
	// Code is PREFIX.NAME, e.g. "MED.CONTRAINDICATED_DRUG"; it must not be
	// empty.
	Code string
	// Category groups codes for reporting.
	Category string
	// Severity is the harm the act would have caused in real care.
	Severity Severity
	// PatientSafety marks errors that endanger the patient. It is
	// independent of Severity and Critical.
	PatientSafety bool
	// Critical makes the rubric's critical action apply. It is independent
	// of Severity and PatientSafety.
	Critical bool
	// Message is the learner-facing explanation.
	Message string
	// Offset is the time from the session start to the act.
	Offset time.Duration
	// DetectedBy says how the error was detected.
	DetectedBy Detector
	// Status is active (the zero value) or dismissed.
	Status ErrorStatus
}

// Active reports whether e counts: its status is not dismissed.
func (e FlaggedError) Active() bool { return e.Status != ErrorDismissed }

// flaggedErrorJSON is the wire form of FlaggedError.
type flaggedErrorJSON struct {
	Code          string      `json:"code"`
	Category      string      `json:"category"`
	Severity      Severity    `json:"severity"`
	PatientSafety bool        `json:"patient_safety"`
	Critical      bool        `json:"critical"`
	Message       string      `json:"message"`
	OffsetMS      int64       `json:"offset_ms"`
	DetectedBy    Detector    `json:"detected_by"`
	Status        ErrorStatus `json:"status"`
}

// MarshalJSON encodes e with snake_case names, the severity as its name and
// the offset as whole milliseconds ("offset_ms"). A zero status is written
// as "active". It refuses, as UnmarshalJSON does, an error without a code
// (ErrErrorCode) or without a valid severity (ErrSeverity), so that what
// encodes always decodes.
func (e FlaggedError) MarshalJSON() ([]byte, error) {
	if e.Code == "" {
		return nil, invalid("code", "", ErrErrorCode)
	}

	status := e.Status
	if status == "" {
		status = ErrorActive
	}

	return json.Marshal(flaggedErrorJSON{
		Code: e.Code, Category: e.Category, Severity: e.Severity,
		PatientSafety: e.PatientSafety, Critical: e.Critical, Message: e.Message,
		OffsetMS: e.Offset.Milliseconds(), DetectedBy: e.DetectedBy, Status: status,
	})
}

// UnmarshalJSON decodes the form MarshalJSON writes, with member names
// matched exactly (case-sensitively) and each name at most once. It
// requires a code (ErrErrorCode) and a severity (ErrSeverity when missing
// or null), and rejects unknown or empty severities and statuses and
// unknown detectors with ErrUnknownValue. A missing status reads as active.
//
// An offset_ms beyond what a time.Duration holds (about 292 years) is
// rejected with ErrOffset.
//
// NOTE: the offset travels in whole milliseconds; finer precision is lost.
func (e *FlaggedError) UnmarshalJSON(data []byte) error {
	var w flaggedErrorJSON
	if err := jsonv2.Unmarshal(data, &w); err != nil {
		return err
	}

	if w.Code == "" {
		return invalid("code", "", ErrErrorCode)
	}

	if !w.Severity.Valid() {
		return invalid("severity", "", ErrSeverity)
	}

	const maxMS = math.MaxInt64 / int64(time.Millisecond)
	if w.OffsetMS > maxMS || w.OffsetMS < -maxMS {
		return invalid("offset_ms", strconv.FormatInt(w.OffsetMS, 10), ErrOffset)
	}

	*e = FlaggedError{
		Code: w.Code, Category: w.Category, Severity: w.Severity,
		PatientSafety: w.PatientSafety, Critical: w.Critical, Message: w.Message,
		Offset: time.Duration(w.OffsetMS) * time.Millisecond, DetectedBy: w.DetectedBy,
		Status: w.Status,
	}

	return nil
}
