package memory_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

func ExampleNew() {
	ctx := context.Background()
	st := memory.New()

	err := st.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "im-2026"})
	fmt.Println(err)

	_, err = st.GetCohort(ctx, "partner-b", "im-2026")
	fmt.Println(errors.Is(err, session.ErrNotFound))
	// Output:
	// <nil>
	// true
}
