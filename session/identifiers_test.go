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

func TestFindIdentifier(t *testing.T) {
	tests := []struct {
		name string
		text string
		kind session.IdentifierKind // empty: must pass
	}{
		{name: "drug dose", text: "aspirin 300 mg chewed, then clopidogrel 600 mg"},
		{name: "vital signs", text: "BP 140/90, HR 112, RR 24, SpO2 92% on room air, T 38.4 C"},
		{name: "lab value", text: "troponin 0.8 ng/mL rising to 2.4 ng/mL at 3 h"},
		{name: "age", text: "A 54-year-old man with crushing chest pain"},
		{name: "case slug", text: "acs-chest-pain-2"},
		{name: "icd code", text: "I21.4 NSTEMI; E11.9 type 2 diabetes"},
		{name: "year alone", text: "diagnosed with asthma in 1998, guideline 2021"},
		{name: "time", text: "pain began at 06:30, arrived 07:45"},
		{name: "ranges and units", text: "potassium 3.1 mmol/L (3.5-5.0), eGFR 45 mL/min/1.73m2"},
		{name: "ecg", text: "ST elevation 2 mm in V1-V4, QTc 480 ms"},
		{name: "email", text: "contact jane.doe@hospital.org", kind: session.KindEmail},
		{name: "phone", text: "call +44 20 7946 0958", kind: session.KindPhone},
		{name: "us phone", text: "(555) 123-4567 ext", kind: session.KindPhone},
		{name: "ssn", text: "SSN 123-45-6789", kind: session.KindNationalID},
		{name: "nhs number", text: "NHS 943 476 5919", kind: session.KindNationalID},
		{name: "nino", text: "NI AB123456C", kind: session.KindNationalID},
		{name: "mrn", text: "MRN: 00482913", kind: session.KindMedicalRecord},
		{name: "medical record number", text: "medical record number A-77812",
			kind: session.KindMedicalRecord},
		{name: "dob numeric", text: "born 14/03/1971", kind: session.KindDateOfBirth},
		{name: "dob iso", text: "DOB 1971-03-14", kind: session.KindDateOfBirth},
		{name: "dob words", text: "born 14 March 1971", kind: session.KindDateOfBirth},
		{name: "dob us words", text: "born March 14, 1971", kind: session.KindDateOfBirth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, found := session.FindIdentifier(tc.text)
			assert.Equal(t, tc.kind != "", found)
			assert.Equal(t, tc.kind, kind)
		})
	}
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
	// Output: {Sessions:0 Learners:0 Deliveries:0 Tokens:0 Codes:0} <nil>
}
