package scoring

import (
	"fmt"
	"testing"
)

// benchRubric is 8 domains of 5 checklist items each.
func benchRubric() (Rubric, Input) {
	codes := []string{"history_taking", "physical_exam", "investigations", "diagnostic_reasoning",
		"management", "communication", "professionalism", "patient_safety"}
	r := Rubric{Threshold: 0.7, Critical: CriticalRule{Action: CriticalCap, Cap: 0.5},
		HurdleAction: HurdleCap, Penalties: Penalties{SeverityMinor: 0.01, SeverityModerate: 0.05}}
	in := Input{ItemPoints: map[string]float64{}, Errors: []FlaggedError{
		{Code: "HX.MISSED_ALLERGY", Severity: SeverityModerate},
		{Code: "COM.JARGON", Severity: SeverityMinor},
	}}
	for i, code := range codes {
		d := Domain{Code: code, MaxPoints: 10, Weight: 5 + i*3}
		if i%3 == 0 {
			d.Minimum = ptr(0.4)
		}

		r.Domains = append(r.Domains, d)
		for j := range 5 {
			id := fmt.Sprintf("%s.%d", code, j)
			r.Items = append(r.Items, Item{ID: id, Domain: code, MaxPoints: 2, Critical: j == 0})
			in.ItemPoints[id] = float64((i+j)%5) / 2
		}
	}

	return r, in
}

func BenchmarkEvaluate8Domains40Items(b *testing.B) {
	r, in := benchRubric()
	if _, err := Evaluate(r, in); err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(r, in); err != nil {
			b.Fatal(err)
		}
	}
}
