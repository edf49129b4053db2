package storetest

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// backticked finds the names written in backticks.
var backticked = regexp.MustCompile("`([a-z0-9_]+)`")

// inventoryGroup is one section of the data inventory: the tables its
// heading names and the columns its table rows name.
type inventoryGroup struct {
	tables  []string
	columns []string
}

// readInventory parses the "## Data inventory" section of the privacy
// document at path: each "### `table`" heading (or "### `a`, `b`" for
// tables documented together) opens a group, and the backticked names in
// the first cell of each table row below it are the group's columns.
func readInventory(t *testing.T, path string) []inventoryGroup {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)

	var groups []inventoryGroup
	inside := false
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "## "):
			inside = line == "## Data inventory"
		case !inside:
		case strings.HasPrefix(line, "### "):
			groups = append(groups, inventoryGroup{tables: names(line)})
		case strings.HasPrefix(line, "| `") && len(groups) > 0:
			cell, _, _ := strings.Cut(strings.TrimPrefix(line, "|"), "|")
			g := &groups[len(groups)-1]
			g.columns = append(g.columns, names(cell)...)
		}
	}

	require.NotEmpty(t, groups, "%s has no data inventory", path)
	return groups
}

func names(s string) []string {
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}

	return out
}

// CheckPrivacyInventory fails t unless the data inventory of the privacy
// document at path (docs/PRIVACY.md) lists exactly the tables and columns
// of a store's schema: every column of every table in schema (table name
// to column names, read from the database catalog after the migrations)
// is listed under its table, and every table and column listed exists.
func CheckPrivacyInventory(t *testing.T, path string, schema map[string][]string) {
	t.Helper()
	require.NotEmpty(t, schema)
	documented := map[string]bool{}
	for _, g := range readInventory(t, path) {
		var have []string
		for _, table := range g.tables {
			cols, ok := schema[table]
			assert.True(t, ok, "the inventory lists table %s, which the schema lacks", table)
			documented[table] = true
			have = append(have, cols...)
			for _, col := range cols {
				assert.Contains(t, g.columns, col, "column %s.%s is not in the inventory",
					table, col)
			}
		}

		for _, col := range g.columns {
			assert.True(t, slices.Contains(have, col),
				"the inventory lists column %s under %v, which the schema lacks", col, g.tables)
		}
	}

	for table := range schema {
		assert.True(t, documented[table], "table %s is not in the inventory", table)
	}
}
