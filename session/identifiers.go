package session

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// IdentifierKind names the shape of a real identifier found in case text.
type IdentifierKind string

// Identifier kinds reported by the case metadata guard.
const (
	// KindEmail is an e-mail address.
	KindEmail IdentifierKind = "email"
	// KindPhone is a telephone number written the way phone numbers are:
	// with a leading + (+44 20 7946 0958), an area code in parentheses
	// ((555) 123-4567), as 555-123-4567 or 555.123.4567, as a UK mobile
	// (07700 900123), or after a word such as tel, phone, call, mobile,
	// fax or ring. Digits separated by single spaces without such a word
	// (a series of lab values or times) are not a phone number.
	KindPhone IdentifierKind = "phone_number"
	// KindNationalID is a national id number: a US social security number
	// (123-45-6789, 123 45 6789, or nine digits after "SSN"), a UK NHS
	// number (943 476 5919, its check digit valid, or ten digits after
	// "NHS"), a Canadian social insurance number (046 454 286, its Luhn
	// check valid, or nine digits after "SIN") or a UK National Insurance
	// number (QQ123456C, AB 12 34 56 C, in either case). NOTE: three
	// values of exactly 3, 2 and 4 digits with single spaces between
	// (120 80 1200) have the shape of a social security number and are
	// refused; write them with commas.
	KindNationalID IdentifierKind = "national_id"
	// KindMedicalRecord is a medical record number: "MRN", "MR#",
	// "medical record number", "hospital number", "hosp no.", "patient
	// id", "unit number" or "chart #" (with "no.", "number", "#", ":",
	// "-" or "is" between) followed by an id holding at least 4 digits.
	KindMedicalRecord IdentifierKind = "medical_record_number"
	// KindDateOfBirth is a full calendar date (day, month and year): case
	// text needs none, and one next to a patient is a date of birth.
	// Numeric dates need one separator throughout (14/03/1971,
	// 1971-03-14), a plausible day and month and a year from 1900 to
	// 2099; a two-digit year counts only next to a month name
	// (14 Mar 71).
	KindDateOfBirth IdentifierKind = "date_of_birth"
)

const monthNames = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|` +
	`july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

// shape is one way of writing an identifier: a pattern and, when some of
// its matches are not identifiers, a check of a match (the indexes of
// FindAllStringSubmatchIndex).
type shape struct {
	kind  IdentifierKind
	re    *regexp.Regexp
	check func(text string, m []int) bool
}

// identifierShapes are tried in order; the first that matches names the
// kind. National ids come before dates and phone numbers, whose digits
// they share; a national id shape that is also a phone shape counts only
// when its check digit is valid.
var identifierShapes = []shape{
	{KindEmail, regexp.MustCompile(
		`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`), nil},

	// Medical record numbers: a cue, then an id with 4 digits or more.
	{KindMedicalRecord, regexp.MustCompile(`(?i)\b(?:mrn\b|mr\s*#|` +
		`(?:medical\s+record|hospital|hosp|patient|pt|unit|chart|record)` +
		`\.?\s*(?:number|num\b|no\b|nr\b|id\b|#))` +
		`(?:\s*(?:number|num\b|no\b|is\b|[.:#=-]))*\s*([a-z0-9][a-z0-9/-]*)`),
		func(text string, m []int) bool { return digits(group(text, m, 1)) >= 4 }},

	// National ids after their name: nine or ten digits in any grouping.
	{KindNationalID, regexp.MustCompile(`(?i)\b(?:ssn|ss#|social\s+security|` +
		`sin|social\s+insurance|nhs)(?:\s*(?:number|no\b|is\b|[.:#-]))*\s*` +
		`(\d{3}[ -]?\d{2,3}[ -]?\d{3,4})`),
		func(text string, m []int) bool { return alone(text, m[2], m[3], true) }},
	// US social security number: 3-2-4 with one separator, valid ranges.
	{KindNationalID, regexp.MustCompile(`\b(\d{3})([ -])(\d{2})([ -])(\d{4})\b`),
		checkSSN},
	// UK NHS number, 3-3-4, or Canadian SIN, 3-3-3, with a valid check.
	{KindNationalID, regexp.MustCompile(`\b\d{3}([ -])\d{3}([ -])\d{3,4}\b`), checkNHSOrSIN},
	// UK National Insurance number.
	{KindNationalID, regexp.MustCompile(
		`(?i)\b[a-z]{2}(?:\d{6}|(?: \d{2}){3} ?)[a-d]\b`), nil},

	// Numeric dates, day and month first in either order.
	{KindDateOfBirth, regexp.MustCompile(
		`\b(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})\b`), checkDMY},
	// ISO-style dates, year first.
	{KindDateOfBirth, regexp.MustCompile(
		`\b(\d{4})([/.-])(\d{1,2})([/.-])(\d{1,2})\b`), checkYMD},
	// 14 March 1971, 14-Mar-1971, 14Mar1971, 3rd of March 1971, 14 Mar 71.
	{KindDateOfBirth, regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?` +
		`(?:\s*of)?[\s-]*` + monthNames + `\.?,?[\s-]*(\d{4}|\d{2})\b`), checkDayMonth},
	// March 14, 1971.
	{KindDateOfBirth, regexp.MustCompile(`(?i)\b` + monthNames +
		`\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`), checkMonthDay},

	// Phone numbers after a cue word.
	{KindPhone, regexp.MustCompile(`(?i)\b(?:tel|telephone|phone|call|mobile|mob|` +
		`cell|fax|ring|pager|contact)\b(?:\s*(?:on|at|no\b|number|[.:#-]))*\s*` +
		`(\+?\(?\d{2,5}\)?(?:[ .-]?\(?\d{2,5}\)?){1,4})`),
		func(text string, m []int) bool {
			n := digits(group(text, m, 1))
			return n >= 7 && n <= 15 && alone(text, m[2], m[3], false)
		}},
	// International numbers.
	{KindPhone, regexp.MustCompile(`\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,5}`),
		func(text string, m []int) bool {
			n := digits(text[m[0]:m[1]])
			return n >= 8 && n <= 15 && alone(text, m[0], m[1], false)
		}},
	// (555) 123-4567, (0161) 496 0000.
	{KindPhone, regexp.MustCompile(`\(0?\d{3,4}\) ?\d{3,4}[ .-]?\d{4}\b`),
		func(text string, m []int) bool { return alone(text, m[0], m[1], false) }},
	// 555-123-4567, 555.123.4567.
	{KindPhone, regexp.MustCompile(`\b\d{3}([.-])\d{3}([.-])\d{4}\b`),
		func(text string, m []int) bool {
			return sameSeparators(text, m, 1, 2) && alone(text, m[0], m[1], true)
		}},
	// UK mobile numbers.
	{KindPhone, regexp.MustCompile(`\b07\d{3} ?\d{6}\b`),
		func(text string, m []int) bool { return alone(text, m[0], m[1], true) }},
}

// FindIdentifier reports the kind of the first thing in text shaped like a
// real identifier (e-mail address, phone number, national id number,
// medical record number, full date), and false when there is none; see
// the Kind constants for the shapes. Drug doses and dose ranges, vital
// signs, lab values and reference ranges, series of values or times,
// ages, years, times, case slugs, ICD-10 and SNOMED CT codes pass.
//
// NOTE: the guard matches shapes, not meaning. It catches identifiers
// pasted by mistake; it cannot prove that a text identifies nobody.
func FindIdentifier(text string) (IdentifierKind, bool) {
	for _, s := range identifierShapes {
		for _, m := range s.re.FindAllStringSubmatchIndex(text, -1) {
			if s.check == nil || s.check(text, m) {
				return s.kind, true
			}
		}
	}

	return "", false
}

// group returns submatch i of m, or "" when it did not take part.
func group(text string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}

	return text[m[2*i]:m[2*i+1]]
}

// number returns submatch i of m as a number.
func number(text string, m []int, i int) int {
	n, _ := strconv.Atoi(group(text, m, i))
	return n
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}

	return n
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// alone reports whether text[i:j] is a whole number, not part of a longer
// one: no digit touches it, nor a decimal point, range dash, slash or
// colon joined to another digit. With series, a digit group one space
// away also joins it (a series of values, not one number).
func alone(text string, i, j int, series bool) bool {
	joins := func(b byte) bool {
		return strings.IndexByte(".,/:-", b) >= 0 || (series && b == ' ')
	}

	if i > 0 && (isDigit(text[i-1]) || i > 1 && joins(text[i-1]) && isDigit(text[i-2])) {
		return false
	}

	n := len(text)
	return !(j < n && (isDigit(text[j]) || j+1 < n && joins(text[j]) && isDigit(text[j+1])))
}

func sameSeparators(text string, m []int, a, b int) bool {
	return group(text, m, a) == group(text, m, b)
}

func plausibleYear(y int) bool { return y >= 1900 && y <= 2099 }

func dayMonth(d, m int) bool { return d >= 1 && d <= 31 && m >= 1 && m <= 12 }

// checkDMY accepts d/m/yyyy or m/d/yyyy with one separator throughout.
func checkDMY(text string, m []int) bool {
	a, b := number(text, m, 1), number(text, m, 3)
	return sameSeparators(text, m, 2, 4) && plausibleYear(number(text, m, 5)) &&
		(dayMonth(a, b) || dayMonth(b, a)) && alone(text, m[0], m[1], false)
}

// checkYMD accepts yyyy-mm-dd with one separator throughout.
func checkYMD(text string, m []int) bool {
	return sameSeparators(text, m, 2, 4) && plausibleYear(number(text, m, 1)) &&
		dayMonth(number(text, m, 5), number(text, m, 3)) && alone(text, m[0], m[1], false)
}

// checkDayMonth accepts a day, a month name and a year of four digits
// (1900-2099) or two. "may" followed by a two-digit year counts only
// when capitalised, as the word is common.
func checkDayMonth(text string, m []int) bool {
	year := group(text, m, 3)
	if len(year) == 4 && !plausibleYear(number(text, m, 3)) {
		return false
	}

	if len(year) == 2 && group(text, m, 2) == "may" {
		return false
	}

	d := number(text, m, 1)
	return d >= 1 && d <= 31 && alone(text, m[0], m[1], false)
}

// checkMonthDay accepts a month name, a day and a four-digit year.
func checkMonthDay(text string, m []int) bool {
	d := number(text, m, 2)
	return d >= 1 && d <= 31 && plausibleYear(number(text, m, 3)) &&
		alone(text, m[0], m[1], false)
}

// checkSSN accepts a US social security number: one separator, area not
// 000, 666 or 9xx, group not 00, serial not 0000.
func checkSSN(text string, m []int) bool {
	area, grp, serial := number(text, m, 1), number(text, m, 3), number(text, m, 5)
	return sameSeparators(text, m, 2, 4) && area != 0 && area != 666 && area < 900 &&
		grp != 0 && serial != 0 && alone(text, m[0], m[1], true)
}

// checkNHSOrSIN accepts ten digits whose NHS check digit is right and
// nine whose Luhn check (Canadian SIN) is right, with one separator.
func checkNHSOrSIN(text string, m []int) bool {
	if !sameSeparators(text, m, 1, 2) || !alone(text, m[0], m[1], true) {
		return false
	}

	var ds []int
	for _, r := range text[m[0]:m[1]] {
		if r >= '0' && r <= '9' {
			ds = append(ds, int(r-'0'))
		}
	}

	if len(ds) == 10 {
		return nhsValid(ds)
	}

	return luhnValid(ds)
}

// nhsValid checks the modulus 11 check digit of a ten-digit NHS number.
func nhsValid(ds []int) bool {
	sum := 0
	for i, d := range ds[:9] {
		sum += d * (10 - i)
	}

	check := 11 - sum%11
	if check == 11 {
		check = 0
	}

	return check != 10 && check == ds[9]
}

// luhnValid checks the Luhn check digit of ds.
func luhnValid(ds []int) bool {
	sum := 0
	for i := range ds {
		d := ds[len(ds)-1-i]
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}

		sum += d
	}

	return sum%10 == 0
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
