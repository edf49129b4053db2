package session_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

// clinicalText is realistic case text that identifies nobody: every entry
// must pass the guard.
var clinicalText = []struct{ name, text string }{
	{name: "drug dose", text: "aspirin 300 mg chewed, then clopidogrel 600 mg"},
	{name: "dose range", text: "amlodipine 2.5-10 mg daily"},
	{name: "decimal dose range", text: "metoprolol 12.5-25 mg"},
	{name: "tapering dose", text: "prednisolone 40-30-20-10 mg"},
	{name: "sliding scale", text: "insulin aspart 8-10-12 units"},
	{name: "infusion", text: "GTN 50 mg in 50 mL at 1-10 mL/h; heparin 5000 units"},
	{name: "vital signs", text: "BP 140/90, HR 112, RR 24, SpO2 92% on room air, T 38.4 C"},
	{name: "bp", text: "BP 142/88"},
	{name: "heart rate", text: "HR 112"},
	{name: "saturation", text: "SpO2 91%"},
	{name: "temperature", text: "T 38.5"},
	{name: "fever range", text: "fever 38.5-39.2 C"},
	{name: "gcs", text: "GCS 14/15 (E4 V4 M6)"},
	{name: "apgars", text: "Apgars 7/9/10"},
	{name: "lab value", text: "troponin 0.8 ng/mL rising to 2.4 ng/mL at 3 h"},
	{name: "ranges and units", text: "potassium 3.1 mmol/L (3.5-5.0), eGFR 45 mL/min/1.73m2"},
	{name: "wbc with range", text: "WBC 14.2 (4.0-11.0)"},
	{name: "hb with range", text: "Hb 9.8 g/dL (11.5-15.5)"},
	{name: "ck with range", text: "CK 12500 (25-200) U/L"},
	{name: "platelets with range", text: "Platelets 1050 (150-400)"},
	{name: "glucose series", text: "glucose 5.5-7.0-10.0"},
	{name: "troponin series", text: "Serial troponin 12 45 210 890"},
	{name: "observation times", text: "Obs at 0800 1000 1200"},
	{name: "three value series", text: "urine output 110 140 160 180 mL/h"},
	{name: "lab panel", text: "Na 138, K 4.1, Cl 101, HCO3 22, urea 7.2, Cr 88 umol/L, " +
		"ALT 35 U/L, INR 1.1, CRP 120 mg/L, lactate 2.4"},
	{name: "blood gas", text: "pH 7.31, pCO2 6.2 kPa, pO2 8.1 kPa, BE -4.5, " +
		"pH 7.35 7.30 7.28 7.25 on repeat"},
	{name: "ecg", text: "ST elevation 2 mm in V1-V4, QTc 480 ms"},
	{name: "spirometry", text: "FEV1 1.2 L (45%), FEV1/FVC 0.62"},
	{name: "age", text: "A 54-year-old man with crushing chest pain"},
	{name: "ages", text: "54 yo woman, G2P1, 32+4 weeks, child aged 3 years 2 months"},
	{name: "year alone", text: "diagnosed with asthma in 1998, guideline 2021"},
	{name: "in a year", text: "CABG in 2019"},
	{name: "month and year", text: "last admission March 2019, again in Dec 2021"},
	{name: "time", text: "pain began at 06:30, arrived 07:45"},
	{name: "clock time", text: "ECG at 14:30 on day 2"},
	{name: "icd code", text: "I21.4 NSTEMI; E11.9 type 2 diabetes"},
	{name: "snomed code", text: "SNOMED CT 1149092001"},
	{name: "snomed concept", text: "22298006 |Myocardial infarction|, 38341003 hypertension"},
	{name: "case slug", text: "acs-chest-pain-2"},
	{name: "case slugs", text: "sepsis-2024-v3, copd-exacerbation-01"},
	{name: "patient ordinal", text: "patient number 3 on the list"},
	{name: "patient narrative", text: "patient no longer febrile; hospital day 3; 2 units RBC"},
	{name: "mrn absent", text: "MRN not recorded; chart review pending"},
	{name: "vaccine", text: "received mRNA-1273 vaccine, 2 doses"},
	{name: "scores", text: "CURB-65 score 3, Wells 4.5, NEWS2 7, HEART score 6"},
	{name: "fluid balance", text: "in 2500 mL out 1800 mL, +700 mL"},
	{name: "oedema", text: "+2 pitting oedema to the knees, ST +2 mm"},
	{name: "phone word", text: "asked to call back in 2 hours; contact dermatitis"},
	{name: "months and days", text: "symptoms for 3 may be 10 days; 2 March visits"},
}

// identifierText holds every shape of identifier the guard must refuse.
var identifierText = []struct {
	name string
	text string
	kind session.IdentifierKind
}{
	{name: "email", text: "contact jane.doe@hospital.org", kind: session.KindEmail},

	{name: "phone international", text: "call +44 20 7946 0958", kind: session.KindPhone},
	{name: "phone bare international", text: "+1 (555) 123-4567", kind: session.KindPhone},
	{name: "phone us parentheses", text: "(555) 123-4567 ext", kind: session.KindPhone},
	{name: "phone us dashes", text: "on 555-123-4567", kind: session.KindPhone},
	{name: "phone us dots", text: "on 555.123.4567", kind: session.KindPhone},
	{name: "phone after call", text: "call 555 123 4567", kind: session.KindPhone},
	{name: "phone after tel", text: "tel: 0161 496 0000", kind: session.KindPhone},
	{name: "phone after mobile", text: "mobile 07700 900123", kind: session.KindPhone},
	{name: "phone uk mobile", text: "07700 900123", kind: session.KindPhone},
	{name: "phone uk area", text: "(020) 7946 0958", kind: session.KindPhone},
	{name: "phone after phone", text: "phone no. 5551234567", kind: session.KindPhone},

	{name: "ssn", text: "SSN 123-45-6789", kind: session.KindNationalID},
	{name: "ssn bare", text: "123-45-6789", kind: session.KindNationalID},
	{name: "ssn spaced", text: "123 45 6789", kind: session.KindNationalID},
	{name: "ssn digits after ssn", text: "SSN 123456789", kind: session.KindNationalID},
	{name: "ssn after name", text: "social security number: 123 45 6789",
		kind: session.KindNationalID},
	{name: "nhs number", text: "NHS 943 476 5919", kind: session.KindNationalID},
	{name: "nhs bare", text: "943 476 5919", kind: session.KindNationalID},
	{name: "nhs digits after nhs", text: "NHS no. 9434765919", kind: session.KindNationalID},
	{name: "canadian sin", text: "046 454 286", kind: session.KindNationalID},
	{name: "canadian sin after name", text: "SIN: 046-454-286", kind: session.KindNationalID},
	{name: "nino", text: "NI AB123456C", kind: session.KindNationalID},
	{name: "nino lowercase", text: "ni ab123456c", kind: session.KindNationalID},
	{name: "nino qq prefix", text: "QQ123456C", kind: session.KindNationalID},
	{name: "nino spaced", text: "QQ 12 34 56 C", kind: session.KindNationalID},

	{name: "mrn", text: "MRN: 00482913", kind: session.KindMedicalRecord},
	{name: "mrn no", text: "MRN No. 1234567", kind: session.KindMedicalRecord},
	{name: "mrn no colon", text: "MRN No: 1234567", kind: session.KindMedicalRecord},
	{name: "mrn number", text: "MRN number 1234567", kind: session.KindMedicalRecord},
	{name: "mrn dash", text: "MRN - 1234567", kind: session.KindMedicalRecord},
	{name: "mrn hash colon", text: "MRN #: 1234567", kind: session.KindMedicalRecord},
	{name: "mr hash", text: "MR# 1234567", kind: session.KindMedicalRecord},
	{name: "mrn is", text: "mrn is 1234567", kind: session.KindMedicalRecord},
	{name: "hosp no", text: "Hosp no. 1234567", kind: session.KindMedicalRecord},
	{name: "hospital number", text: "hospital number K123456", kind: session.KindMedicalRecord},
	{name: "unit number", text: "Unit number 1234567", kind: session.KindMedicalRecord},
	{name: "chart hash", text: "chart #1234567", kind: session.KindMedicalRecord},
	{name: "patient id", text: "patient ID: 55-8812", kind: session.KindMedicalRecord},
	{name: "medical record number", text: "medical record number A-77812",
		kind: session.KindMedicalRecord},

	{name: "dob numeric", text: "born 14/03/1971", kind: session.KindDateOfBirth},
	{name: "dob us numeric", text: "DOB 03/14/1971", kind: session.KindDateOfBirth},
	{name: "dob dotted", text: "geb. 14.03.1971", kind: session.KindDateOfBirth},
	{name: "dob iso", text: "DOB 1971-03-14", kind: session.KindDateOfBirth},
	{name: "dob year first slashes", text: "DOB 1971/03/14", kind: session.KindDateOfBirth},
	{name: "dob month abbreviation", text: "DOB 14-Mar-1971", kind: session.KindDateOfBirth},
	{name: "dob compact", text: "DOB 14Mar1971", kind: session.KindDateOfBirth},
	{name: "dob words", text: "born 14 March 1971", kind: session.KindDateOfBirth},
	{name: "dob ordinal", text: "born on the 3rd of March 1971", kind: session.KindDateOfBirth},
	{name: "dob two-digit year", text: "DOB 14 Mar 71", kind: session.KindDateOfBirth},
	{name: "dob us words", text: "born March 14, 1971", kind: session.KindDateOfBirth},
}

func TestFindIdentifier(t *testing.T) {
	for _, tc := range clinicalText {
		t.Run("passes/"+tc.name, func(t *testing.T) {
			kind, found := session.FindIdentifier(tc.text)
			assert.False(t, found, "%q refused as %s", tc.text, kind)
		})
	}

	for _, tc := range identifierText {
		t.Run("refused/"+tc.name, func(t *testing.T) {
			kind, found := session.FindIdentifier(tc.text)
			assert.True(t, found, "%q passes", tc.text)
			assert.Equal(t, tc.kind, kind, tc.text)
		})
	}
}

// TestFindIdentifierInContext embeds each identifier in clinical text: it
// is still found, with its kind.
func TestFindIdentifierInContext(t *testing.T) {
	for _, tc := range identifierText {
		t.Run(tc.name, func(t *testing.T) {
			text := "A 54-year-old, BP 142/88, HR 112. " + tc.text + ". Hb 9.8 g/dL (11.5-15.5)"
			kind, found := session.FindIdentifier(text)
			assert.True(t, found, "%q passes", text)
			assert.Equal(t, tc.kind, kind, text)
		})
	}
}

func FuzzFindIdentifier(f *testing.F) {
	for _, tc := range clinicalText {
		f.Add(tc.text)
	}

	for _, tc := range identifierText {
		f.Add(tc.text)
	}

	f.Fuzz(func(t *testing.T, text string) {
		kind, found := session.FindIdentifier(text)
		if found != (kind != "") {
			t.Fatalf("found %v with kind %q", found, kind)
		}
	})
}

func TestCaseGuard(t *testing.T) {
	ctx := context.Background()
	svc := session.New(memory.New())
	_, err := svc.PutCase(ctx, session.Case{ID: "acs-chest-pain", Title: "Chest pain",
		Summary: "A 54-year-old man, BP 140/90, troponin 0.8 ng/mL, aspirin 300 mg"})
	require.NoError(t, err)

	tests := []struct {
		name  string
		call  func() error
		field string
		kind  session.IdentifierKind
	}{
		{name: "case summary", field: "case.summary", kind: session.KindEmail,
			call: func() error {
				_, err := svc.PutCase(ctx, session.Case{ID: "c-1", Title: "T",
					Summary: "ask a.patient@example.com"})
				return err
			}},
		{name: "case tag", field: "case.tags[1]", kind: session.KindMedicalRecord,
			call: func() error {
				_, err := svc.PutCase(ctx, session.Case{ID: "c-1", Title: "T",
					Tags: []string{"cardio", "MRN 7781234"}})
				return err
			}},
		{name: "version title", field: "case_version.title", kind: session.KindDateOfBirth,
			call: func() error {
				_, err := svc.PublishCaseVersion(ctx, session.CaseVersion{
					CaseID: "acs-chest-pain", Major: 1, Title: "Mr X born 02/11/1960"})
				return err
			}},
		{name: "case set title", field: "case_set.title", kind: session.KindPhone,
			call: func() error {
				_, err := svc.PutCaseSet(ctx, session.CaseSet{ID: "set-1",
					Title: "ring 0161 496 0000 1", Cases: []session.CaseRef{{CaseID: "acs-chest-pain"}}})
				return err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, session.ErrIdentifier)
			assert.ErrorIs(t, err, session.ErrInvalid)
			var ie *session.IdentifierError
			require.True(t, errors.As(err, &ie))
			assert.Equal(t, tc.field, ie.Field)
			assert.Equal(t, tc.kind, ie.Kind)
		})
	}
}

func ExampleFindIdentifier() {
	for _, text := range []string{"SpO2 92%, troponin 0.8 ng/mL", "MRN 00482913"} {
		kind, found := session.FindIdentifier(text)
		fmt.Printf("found=%v kind=%q\n", found, kind)
	}
	// Output:
	// found=false kind=""
	// found=true kind="medical_record_number"
}

func ExampleService_DeleteLearner() {
	ctx := context.Background()
	svc := session.New(memory.New())
	receipt, err := svc.DeleteLearner(ctx, "lms-example", "user-8431")
	fmt.Println(receipt.Counts.Total(), err)
	// Output: 0 <nil>
}

func ExampleService_Purge() {
	svc := session.New(memory.New())
	svc.Policies = session.StaticPolicies{"lms-example": {
		Retention: session.Retention{Sessions: 90 * 24 * 60 * 60 * 1e9}}}
	res, err := svc.Purge(context.Background())
	fmt.Printf("%+v %v\n", res, err)
	// Output: {Sessions:0 Learners:0 Deliveries:0 Undelivered:0 Tokens:0 Codes:0 Flows:0} <nil>
}
