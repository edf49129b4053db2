package scoring

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
		{name: "empty mode", json: `{"outcome":"passed","mode":""}`},
		{name: "empty aggregation", json: `{"outcome":"passed","aggregation":""}`},
		{name: "empty hurdle result", json: `{"outcome":"passed","sub_scores":[{"hurdle":""}]}`},
		{name: "null outcome", json: `{"outcome":null}`},
		{name: "outcome under another case", json: `{"OUTCOME":"passed"}`},
		{name: "outcome under a capitalised name", json: `{"Outcome":"passed"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var res Result
			err := json.Unmarshal([]byte(tc.json), &res)
			assert.ErrorIs(t, err, ErrUnknownValue)
		})
	}
}

func TestResultJSONStrictNames(t *testing.T) {
	var res Result
	err := json.Unmarshal([]byte(`{"outcome":"passed","Scaled":0.9,"MODE":"exam"}`), &res)
	require.NoError(t, err, "members under other names are not ours and are ignored")
	assert.Zero(t, res.Scaled)
	assert.Empty(t, res.Mode)

	err = json.Unmarshal([]byte(`{"outcome":"passed","outcome":"failed"}`), &res)
	assert.Error(t, err, "a member given twice")
}

func TestResultJSONScaledExact(t *testing.T) {
	tests := []struct {
		name string
		json string
		want error
	}{
		{name: "exact matching scaled", json: `{"outcome":"failed","scaled":0.6438,
			"scaled_exact":"103/160"}`},
		{name: "absent", json: `{"outcome":"failed","scaled":0.6438}`},
		{name: "whole one", json: `{"outcome":"passed","scaled":1,"scaled_exact":"1"}`},
		{name: "empty", json: `{"outcome":"failed","scaled":0,"scaled_exact":""}`,
			want: ErrScaledExact},
		{name: "not in lowest terms", json: `{"outcome":"failed","scaled":0.5,
			"scaled_exact":"2/4"}`, want: ErrScaledExact},
		{name: "decimal form", json: `{"outcome":"failed","scaled":0.5,"scaled_exact":"0.5"}`,
			want: ErrScaledExact},
		{name: "octal-looking", json: `{"outcome":"failed","scaled":0.5,
			"scaled_exact":"010/16"}`, want: ErrScaledExact},
		{name: "not a number", json: `{"outcome":"failed","scaled":0.5,"scaled_exact":"half"}`,
			want: ErrScaledExact},
		{name: "above one", json: `{"outcome":"failed","scaled":1,"scaled_exact":"3/2"}`,
			want: ErrScaledExact},
		{name: "negative", json: `{"outcome":"failed","scaled":0,"scaled_exact":"-1/100000"}`,
			want: ErrScaledExact},
		{name: "does not round to scaled", json: `{"outcome":"failed","scaled":0.7,
			"scaled_exact":"103/160"}`, want: ErrScaledExact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var res Result
			err := json.Unmarshal([]byte(tc.json), &res)
			if tc.want == nil {
				require.NoError(t, err)
				again, err := json.Marshal(res)
				require.NoError(t, err)
				var back Result
				require.NoError(t, json.Unmarshal(again, &back))
				assert.Equal(t, res, back)
				return
			}

			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestResultWithoutModeRoundTrips(t *testing.T) {
	res := Result{Scaled: 0.7675, Percent: 76.75, Outcome: OutcomePassed,
		FailReasons: []string{}, SubScores: []SubScore{}}
	data, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"mode"`)
	assert.NotContains(t, string(data), `"aggregation"`)
	assert.NotContains(t, string(data), `"scaled_exact"`)

	var back Result
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, res, back)
}

func TestEnumsRefuseEmptyAndUnknown(t *testing.T) {
	type decoder func(text string) error
	text := func(u interface{ UnmarshalText([]byte) error }) decoder {
		return func(s string) error { return u.UnmarshalText([]byte(s)) }
	}
	tests := []struct {
		name  string
		dec   decoder
		valid string
	}{
		{name: "mode", dec: text(new(Mode)), valid: "practice"},
		{name: "outcome", dec: text(new(Outcome)), valid: "unknown"},
		{name: "aggregation", dec: text(new(Aggregation)), valid: "points"},
		{name: "critical action", dec: text(new(CriticalAction)), valid: "zero"},
		{name: "hurdle action", dec: text(new(HurdleAction)), valid: "cap"},
		{name: "hurdle result", dec: text(new(HurdleResult)), valid: "met"},
		{name: "severity", dec: text(new(Severity)), valid: "major"},
		{name: "error status", dec: text(new(ErrorStatus)), valid: "dismissed"},
		{name: "attempt policy", dec: text(new(AttemptPolicy)), valid: "mean"},
		{name: "set completion", dec: text(new(SetCompletion)), valid: "n_of_m"},
		{name: "set pass", dec: text(new(SetPass)), valid: "weighted_mean"},
		{name: "activity progress", dec: text(new(ActivityProgress)), valid: "Submitted"},
		{name: "grading progress", dec: text(new(GradingProgress)), valid: "PendingManual"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.NoError(t, tc.dec(tc.valid))
			for _, bad := range []string{"", "Done", " " + tc.valid, strings.ToUpper(tc.valid)} {
				err := tc.dec(bad)
				assert.ErrorIs(t, err, ErrUnknownValue, "%q", bad)
				var ve *ValidationError
				assert.ErrorAs(t, err, &ve, "typed error for %q", bad)
			}
		})
	}
}

func TestDetectorAcceptsNoneRecorded(t *testing.T) {
	d := DetectedByHuman
	require.NoError(t, d.UnmarshalText(nil))
	assert.Equal(t, Detector(""), d)
	assert.ErrorIs(t, d.UnmarshalText([]byte("oracle")), ErrUnknownValue)
	assert.ErrorIs(t, d.UnmarshalText([]byte("Rule")), ErrUnknownValue)
}

func TestConfigJSONRefusesEmptyEnums(t *testing.T) {
	tests := []struct {
		name string
		json string
		into any
	}{
		{name: "rubric aggregation", json: `{"aggregation":""}`, into: new(Rubric)},
		{name: "rubric critical action", json: `{"critical":{"action":""}}`, into: new(Rubric)},
		{name: "rubric hurdle action", json: `{"hurdle_action":""}`, into: new(Rubric)},
		{name: "input mode", json: `{"mode":""}`, into: new(Input)},
		{name: "case set completion", json: `{"completion":""}`, into: new(CaseSetRule)},
		{name: "case set pass", json: `{"pass":""}`, into: new(CaseSetRule)},
		{name: "attempt outcome", json: `{"outcome":""}`, into: new(Attempt)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, json.Unmarshal([]byte(tc.json), tc.into), ErrUnknownValue)
		})
	}

	var rule CaseSetRule
	require.NoError(t, json.Unmarshal([]byte(`{"pass":"weighted_mean"}`), &rule))
	assert.Nil(t, rule.Threshold, "an absent threshold stays absent")
	_, err := EvaluateCaseSet(rule, []CaseResult{{CaseID: "a", Completed: true, Scaled: 0.01,
		Outcome: OutcomeFailed}})
	assert.ErrorIs(t, err, ErrCaseSetRule, "and is refused, never read as 0")
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
		{name: "severity", json: `{"code":"X.Y","severity":"catastrophic"}`,
			want: ErrUnknownValue},
		{name: "detector", json: `{"code":"X.Y","severity":"minor","detected_by":"oracle"}`,
			want: ErrUnknownValue},
		{name: "status", json: `{"code":"X.Y","severity":"minor","status":"hidden"}`,
			want: ErrUnknownValue},
		{name: "empty status", json: `{"code":"X.Y","severity":"minor","status":""}`,
			want: ErrUnknownValue},
		{name: "empty object", json: `{}`, want: ErrErrorCode},
		{name: "empty code", json: `{"code":"","severity":"minor"}`, want: ErrErrorCode},
		{name: "code under another case", json: `{"CODE":"X.Y","severity":"minor"}`,
			want: ErrErrorCode},
		{name: "no severity", json: `{"code":"X.Y"}`, want: ErrSeverity},
		{name: "null severity", json: `{"code":"X.Y","severity":null}`, want: ErrSeverity},
		{name: "empty severity", json: `{"code":"X.Y","severity":""}`, want: ErrUnknownValue},
		{name: "severity under another case", json: `{"code":"X.Y","Severity":"minor"}`,
			want: ErrSeverity},
		{name: "offset beyond a duration",
			json: `{"code":"X.Y","severity":"minor","offset_ms":9223372036854775807}`,
			want: ErrOffset},
		{name: "offset one past the largest duration",
			json: `{"code":"X.Y","severity":"minor","offset_ms":9223372036855}`, want: ErrOffset},
		{name: "negative offset beyond a duration",
			json: `{"code":"X.Y","severity":"minor","offset_ms":-9223372036855}`, want: ErrOffset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fe FlaggedError
			assert.ErrorIs(t, json.Unmarshal([]byte(tc.json), &fe), tc.want)
		})
	}

	var fe FlaggedError
	err = json.Unmarshal([]byte(`{"code":"X.Y","severity":"minor","code":"X.Z"}`), &fe)
	assert.Error(t, err, "a member given twice")
	err = json.Unmarshal([]byte(`{"code":"X.Y","severity":2}`), &fe)
	assert.Error(t, err, "a severity by number")

	require.NoError(t, json.Unmarshal([]byte(`{"code":"X.Y","severity":"minor"}`), &fe))
	assert.Equal(t, FlaggedError{Code: "X.Y", Severity: SeverityMinor}, fe)
	assert.True(t, fe.Active(), "a missing status reads as active")
	_, err = json.Marshal(fe)
	assert.NoError(t, err, "what decodes encodes again")
}

func TestFlaggedErrorMarshalRefusesWhatCannotDecode(t *testing.T) {
	tests := []struct {
		name string
		e    FlaggedError
		want error
	}{
		{name: "zero value", want: ErrErrorCode},
		{name: "no severity", e: FlaggedError{Code: "X.Y"}, want: ErrSeverity},
		{name: "no code", e: FlaggedError{Severity: SeverityMinor}, want: ErrErrorCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := json.Marshal(tc.e)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestFlaggedErrorJSONLargestOffset(t *testing.T) {
	var fe FlaggedError
	err := json.Unmarshal([]byte(`{"code":"X.Y","severity":"minor","offset_ms":9223372036854}`),
		&fe)
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
	f.Add([]byte(`{"outcome":"failed","scaled":0.6438,"scaled_exact":"103/160"}`))
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

func FuzzFlaggedErrorJSON(f *testing.F) {
	f.Add([]byte(`{"code":"MED.X","severity":"major","offset_ms":83250,"status":"dismissed"}`))
	f.Add([]byte(`{"code":"X.Y","severity":"minor","detected_by":""}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e FlaggedError
		if json.Unmarshal(data, &e) != nil {
			return
		}

		again, err := json.Marshal(e)
		require.NoError(t, err, "what decodes encodes")
		var back FlaggedError
		require.NoError(t, json.Unmarshal(again, &back))
		if e.Status == "" {
			e.Status = ErrorActive
		}

		assert.Equal(t, e, back)
	})
}
