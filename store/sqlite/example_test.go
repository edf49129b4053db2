package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/sqlite"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "vap-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()

	st, err := sqlite.Open(ctx, filepath.Join(dir, "vap.db"), sqlite.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = st.Close() }()

	tok := session.ConsumedToken{Issuer: "https://lms.example", TokenID: "jti-1",
		PartnerID: "partner-a"}
	fmt.Println(st.ConsumeToken(ctx, tok))
	err = st.ConsumeToken(ctx, tok)
	fmt.Println(errors.Is(err, launch.ErrReplayed))
	// Output:
	// <nil>
	// true
}
