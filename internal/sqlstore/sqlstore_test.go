package sqlstore

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr bool
	}{
		{name: "ordered numerically", want: []int{1, 2, 10}, files: fstest.MapFS{
			"m/0010_c.sql": file("c"), "m/0002_b.sql": file("b"), "m/0001_a.sql": file("a"),
			"m/README.md": file("ignored"),
		}},
		{name: "no number", wantErr: true, files: fstest.MapFS{"m/init.sql": file("a")}},
		{name: "zero", wantErr: true, files: fstest.MapFS{"m/0000_a.sql": file("a")}},
		{name: "duplicate version", wantErr: true, files: fstest.MapFS{
			"m/0001_a.sql": file("a"), "m/1_b.sql": file("b"),
		}},
		{name: "missing directory", wantErr: true, files: fstest.MapFS{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readMigrations(tt.files, "m")
			if tt.wantErr {
				require.Error(t, err)
				return
			}

			require.NoError(t, err)
			var versions []int
			for _, m := range got {
				versions = append(versions, m.version)
			}
			assert.Equal(t, tt.want, versions)
		})
	}
}

func TestTimeCol(t *testing.T) {
	want := time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)
	tests := []struct {
		name    string
		in      any
		want    time.Time
		wantErr bool
	}{
		{name: "null", in: nil},
		{name: "sqlite micros", in: want.UnixMicro(), want: want},
		{name: "postgres timestamp", in: want.In(time.FixedZone("x", 3600)), want: want},
		{name: "text", in: "2026-03-02", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := time.Now()
			err := timeCol{&got}.Scan(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCaseMajor(t *testing.T) {
	tests := []struct {
		name    string
		version string
		want    int
	}{
		{name: "major and minor", version: "12.3", want: 12},
		{name: "major only", version: "2", want: 2},
		{name: "empty", version: "", want: 0},
		{name: "garbage", version: "x.1", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, caseMajor(tt.version))
		})
	}
}
