package scoring

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResultJSONGolden(t *testing.T) {
	r := referenceRubric()
	res, err := Evaluate(r, Input{Points: points(18, 9, 8, 9, 5),
		NotApplicable: []string{"physical_exam"}, Errors: []FlaggedError{criticalError}})
	require.NoError(t, err)

	got, err := json.MarshalIndent(res, "", "  ")
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("testdata", "result.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))

	var back Result
	require.NoError(t, json.Unmarshal(got, &back))
	assert.Equal(t, res, back, "round trip")
}

func TestResultJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		tc   evalCase
	}{}
	for _, tc := range append(append([]evalCase{}, workedExamples...), moreCases...) {
		tests = append(tests, struct {
			name string
			tc   evalCase
		}{name: tc.name, tc: tc})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := referenceRubric()
			if tt.tc.rubric != nil {
				tt.tc.rubric(&r)
			}

			res, err := Evaluate(r, tt.tc.input)
			require.NoError(t, err)
			data, err := json.Marshal(res)
			require.NoError(t, err)
			var back Result
			require.NoError(t, json.Unmarshal(data, &back))
			assert.Equal(t, res, back)
		})
	}
}

func TestResultJSONRejectsUnknownValues(t *testing.T) {
	tests := []struct {
		name string
		json string
	}{
		{name: "outcome", json: `{"outcome":"excellent"}`},
		{name: "empty outcome", json: `{"outcome":""}`},
		{name: "aggregation", json: `{"outcome":"passed","aggregation":"median"}`},
		{name: "mode", json: `{"outcome":"passed","mode":"exam"}`},
		{name: "fail reason", json: `{"outcome":"failed","fail_reasons":["bad_luck"]}`},
		{name: "bare hurdle reason", json: `{"outcome":"failed","fail_reasons":["hurdle:"]}`},
		{name: "hurdle result", json: `{"outcome":"passed","sub_scores":[{"hurdle":"almost"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var res Result
			err := json.Unmarshal([]byte(tc.json), &res)
			assert.ErrorIs(t, err, ErrUnknownValue)
		})
	}
}

func TestFlaggedErrorJSON(t *testing.T) {
	e := FlaggedError{Code: "MED.CONTRAINDICATED_DRUG", Category: "medication",
		Severity: SeverityMajor, PatientSafety: true, Message: "Check renal function first",
		Offset: 83*time.Second + 250*time.Millisecond, DetectedBy: DetectedByHuman}
	data, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"code":"MED.CONTRAINDICATED_DRUG","category":"medication",
		"severity":"major","patient_safety":true,"critical":false,
		"message":"Check renal function first","offset_ms":83250,"detected_by":"human",
		"status":"active"}`, string(data))

	var back FlaggedError
	require.NoError(t, json.Unmarshal(data, &back))
	e.Status = ErrorActive
	assert.Equal(t, e, back)

	tests := []struct {
		name string
		json string
		want error
	}{
		{name: "severity", json: `{"severity":"catastrophic"}`, want: ErrUnknownValue},
		{name: "detector", json: `{"severity":"minor","detected_by":"oracle"}`,
			want: ErrUnknownValue},
		{name: "status", json: `{"severity":"minor","status":"hidden"}`, want: ErrUnknownValue},
		{name: "offset beyond a duration",
			json: `{"severity":"minor","offset_ms":9223372036854775807}`, want: ErrOffset},
		{name: "offset one past the largest duration",
			json: `{"severity":"minor","offset_ms":9223372036855}`, want: ErrOffset},
		{name: "negative offset beyond a duration",
			json: `{"severity":"minor","offset_ms":-9223372036855}`, want: ErrOffset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fe FlaggedError
			assert.ErrorIs(t, json.Unmarshal([]byte(tc.json), &fe), tc.want)
		})
	}
}

func TestFlaggedErrorJSONLargestOffset(t *testing.T) {
	var fe FlaggedError
	err := json.Unmarshal([]byte(`{"severity":"minor","offset_ms":9223372036854}`), &fe)
	require.NoError(t, err)
	assert.Equal(t, 9223372036854*time.Millisecond, fe.Offset)
}

func TestRubricJSONRoundTrip(t *testing.T) {
	r := referenceRubric()
	r.Penalties = Penalties{SeverityMinor: 0.01, SeverityMajor: 0.1}
	r.Items = []Item{{ID: "mg.plan", Domain: "management", MaxPoints: 10, Critical: true}}
	data, err := json.Marshal(r)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"penalties":{"major":0.1,"minor":0.01}`)

	var back Rubric
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, r, back)
	assert.NoError(t, back.Validate())
}

func TestSeverityOrder(t *testing.T) {
	tests := []struct {
		name string
		a, b Severity
	}{
		{name: "minor < moderate", a: SeverityMinor, b: SeverityModerate},
		{name: "moderate < major", a: SeverityModerate, b: SeverityMajor},
		{name: "major < critical", a: SeverityMajor, b: SeverityCritical},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Less(t, tc.a, tc.b)
		})
	}

	assert.False(t, Severity(0).Valid())
	_, err := Severity(0).MarshalText()
	assert.ErrorIs(t, err, ErrSeverity)
}

func FuzzResultJSON(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "result.json"))
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"outcome":"passed","fail_reasons":null}`))
	f.Add([]byte(`{"outcome":"failed","fail_reasons":["hurdle:x"],"sub_scores":[{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var res Result
		if json.Unmarshal(data, &res) != nil {
			return
		}

		again, err := json.Marshal(res)
		require.NoError(t, err)
		var back Result
		require.NoError(t, json.Unmarshal(again, &back))
		assert.Equal(t, res, back)
	})
}
