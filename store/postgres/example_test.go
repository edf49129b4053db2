package postgres_test

import (
	"context"
	"fmt"
	"os"

	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/postgres"
)

// Open needs a running PostgreSQL server, so this example is compiled but
// not run.
func ExampleOpen() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), postgres.Options{Schema: "vap"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	svc := session.New(st)
	_, err = svc.PutCohort(ctx, session.Cohort{PartnerID: "partner-a", ID: "cohort-1"})
	fmt.Println(err)
}
