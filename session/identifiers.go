package session

import (
	"fmt"
	"regexp"
)

// IdentifierKind names the shape of a real identifier found in case text.
type IdentifierKind string

// Identifier kinds reported by the case metadata guard.
const (
	// KindEmail is an e-mail address.
	KindEmail IdentifierKind = "email"
	// KindPhone is a telephone number: ten or more digits, optionally
	// with a leading + and spaces, dots, dashes or parentheses between.
	KindPhone IdentifierKind = "phone_number"
	// KindNationalID is a national id number: a US social security number
	// (123-45-6789), a UK NHS number (943 476 5919) or a UK National
	// Insurance number (QQ123456C).
	KindNationalID IdentifierKind = "national_id"
	// KindMedicalRecord is a medical record number: "MRN", "medical
	// record", "hospital number" or "patient id" followed by an id.
	KindMedicalRecord IdentifierKind = "medical_record_number"
	// KindDateOfBirth is a full calendar date (day, month and year): case
	// text needs none, and one next to a patient is a date of birth.
	KindDateOfBirth IdentifierKind = "date_of_birth"
)

const monthNames = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|` +
	`july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

// identifierPatterns are tried in order; the first match names the kind.
// National ids come before phone numbers, whose shape they share.
var identifierPatterns = []struct {
	kind IdentifierKind
	re   *regexp.Regexp
}{
	{KindEmail, regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)},
	{KindMedicalRecord, regexp.MustCompile(`(?i)\b(?:mrn|medical\s+record(?:\s+(?:number|no\.?|#))?|` +
		`hospital\s+(?:number|no\.?)|patient\s+(?:id|number|no\.?))\s*[:#]?\s*[a-z0-9-]*\d[a-z0-9-]*`)},
	{KindNationalID, regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b|\b\d{3} \d{3} \d{4}\b|` +
		`\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b`)},
	{KindDateOfBirth, regexp.MustCompile(`(?i)\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b|` +
		`\b\d{4}-\d{1,2}-\d{1,2}\b|` +
		`\b\d{1,2}(?:st|nd|rd|th)?\s+` + monthNames + `\.?,?\s+\d{4}\b|` +
		`\b` + monthNames + `\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b`)},
	{KindPhone, regexp.MustCompile(`(?:\+|\b)\d(?:[ .()-]{0,2}\d){9,14}\b`)},
}

// FindIdentifier reports the kind of the first thing in text shaped like a
// real identifier (e-mail address, phone number, national id number,
// medical record number, full date), and false when there is none. Drug
// doses, vital signs, lab values, ages, years, times, case slugs and
// ICD-10 codes pass.
//
// NOTE: the guard matches shapes, not meaning. It catches identifiers
// pasted by mistake; it cannot prove that a text identifies nobody.
func FindIdentifier(text string) (IdentifierKind, bool) {
	for _, p := range identifierPatterns {
		if p.re.MatchString(text) {
			return p.kind, true
		}
	}

	return "", false
}

// IdentifierError is case metadata that contains something shaped like a
// real identifier. It matches [ErrIdentifier] and [ErrInvalid] with
// errors.Is. It never carries the matched text.
type IdentifierError struct {
	// Field names the field, e.g. "case.summary" or "case.tags[2]".
	Field string
	// Kind is the shape found.
	Kind IdentifierKind
}

// Error returns "session: <field> contains a <kind>".
func (e *IdentifierError) Error() string {
	return fmt.Sprintf("session: %s contains what looks like a real identifier (%s)",
		e.Field, e.Kind)
}

// Is reports whether target is ErrIdentifier or ErrInvalid.
func (e *IdentifierError) Is(target error) bool {
	return target == ErrIdentifier || target == ErrInvalid
}

// checkIdentifiers returns an *IdentifierError for the first field whose
// text looks like it holds a real identifier. fields alternates field
// names and texts.
func checkIdentifiers(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if kind, found := FindIdentifier(fields[i+1]); found {
			return &IdentifierError{Field: fields[i], Kind: kind}
		}
	}

	return nil
}

// checkCaseText guards a case's title, summary and tags.
func checkCaseText(c Case) error {
	fields := []string{"case.title", c.Title, "case.summary", c.Summary}
	for i, tag := range c.Tags {
		fields = append(fields, fmt.Sprintf("case.tags[%d]", i), tag)
	}

	return checkIdentifiers(fields...)
}
