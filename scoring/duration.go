package scoring

import (
	"strconv"
	"strings"
	"time"
)

// ISODuration formats d as an ISO 8601 duration with hours, minutes and
// seconds only, as xAPI and cmi5 expect: "PT23M45S", "PT24H", "PT1H0.5S".
// Seconds keep at most 2 decimals, truncated; zero is "PT0S". It returns
// ErrDuration for a negative d.
func ISODuration(d time.Duration) (string, error) {
	if d < 0 {
		return "", ErrDuration
	}

	centis := int64(d / (10 * time.Millisecond))
	hours := centis / 360000
	minutes := centis / 6000 % 60
	secs, frac := centis/100%60, centis%100

	var b strings.Builder
	b.WriteString("PT")
	if hours > 0 {
		b.WriteString(strconv.FormatInt(hours, 10) + "H")
	}

	if minutes > 0 {
		b.WriteString(strconv.FormatInt(minutes, 10) + "M")
	}

	if secs > 0 || frac > 0 || (hours == 0 && minutes == 0) {
		b.WriteString(strconv.FormatInt(secs, 10))
		if frac > 0 {
			f := strings.TrimRight(strconv.FormatInt(frac+100, 10)[1:], "0")
			b.WriteString("." + f)
		}

		b.WriteString("S")
	}

	return b.String(), nil
}
