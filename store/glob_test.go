package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

// globTree is the fixture of the glob tests.
var globTree = []string{
	"a.csv", "b.csv", "a.parquet", ".hidden",
	"data/x.parquet", "data/y.parquet", "data/notes.txt",
	"data/year=2024/month=01/part-0.parquet",
	"data/year=2024/month=02/part-0.parquet",
	"data/year=2025/month=01/part-0.parquet",
	"data/year=2025/month=01/part-1.parquet",
	"logs/[special]/x.log", "logs/q?.log", "logs/star*.log",
}

func globStore(t *testing.T) *store.Store {
	t.Helper()
	st := memory.NewStore()
	t.Cleanup(func() { st.Close() })
	for _, p := range globTree {
		if err := st.WriteString(context.Background(), p, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func glob(t *testing.T, st *store.Store, pattern string) []string {
	t.Helper()
	var out []string
	for info, err := range st.Glob(context.Background(), pattern) {
		if err != nil {
			t.Fatalf("Glob(%q): %v", pattern, err)
		}
		if info.IsFolder {
			t.Errorf("Glob(%q) yielded folder %q", pattern, info.Path)
		}
		out = append(out, info.Path)
	}
	slices.Sort(out)
	return out
}

func TestGlob(t *testing.T) {
	st := globStore(t)
	allParquet := []string{"a.parquet", "data/x.parquet", "data/y.parquet",
		"data/year=2024/month=01/part-0.parquet", "data/year=2024/month=02/part-0.parquet",
		"data/year=2025/month=01/part-0.parquet", "data/year=2025/month=01/part-1.parquet"}
	for _, c := range []struct {
		pattern string
		want    []string
	}{
		{"*.csv", []string{"a.csv", "b.csv"}},
		{"?.csv", []string{"a.csv", "b.csv"}},
		{"[a].*", []string{"a.csv", "a.parquet"}},
		{"[^a].csv", []string{"b.csv"}},                           // path.Match negates with ^
		{"*", []string{".hidden", "a.csv", "a.parquet", "b.csv"}}, // * matches a leading dot, as path.Match
		{"data/*.parquet", []string{"data/x.parquet", "data/y.parquet"}},
		{"data/*", []string{"data/notes.txt", "data/x.parquet", "data/y.parquet"}},
		{"*/*.txt", []string{"data/notes.txt"}},
		{"**/*.parquet", allParquet},
		{"**/*.parq*", allParquet},
		{"data/**/part-0.parquet", []string{"data/year=2024/month=01/part-0.parquet", "data/year=2024/month=02/part-0.parquet", "data/year=2025/month=01/part-0.parquet"}},
		{"data/year=2025/**", []string{"data/year=2025/month=01/part-0.parquet", "data/year=2025/month=01/part-1.parquet"}},
		{"data/year=*/month=01/*", []string{"data/year=2024/month=01/part-0.parquet", "data/year=2025/month=01/part-0.parquet", "data/year=2025/month=01/part-1.parquet"}},
		{"data/**/**/part-1.parquet", []string{"data/year=2025/month=01/part-1.parquet"}},
		{"**/x.*", []string{"data/x.parquet", "logs/[special]/x.log"}},
		{`logs/\[special\]/*`, []string{"logs/[special]/x.log"}},
		{`logs/q\?.log`, []string{"logs/q?.log"}},
		{`logs/star\*.log`, []string{"logs/star*.log"}},
		{"a.csv", []string{"a.csv"}}, // literal: a Stat, no listing
		{"data", nil},                // a folder is not a match
		{"missing.csv", nil},         // literal miss
		{"nothing/**/*.csv", nil},    // missing base
		{"data/x.parquet/*", nil},    // below a file
		{"data//*.parquet/", []string{"data/x.parquet", "data/y.parquet"}},
		{"./*.csv", []string{"a.csv", "b.csv"}},
	} {
		if got := glob(t, st, c.pattern); !slices.Equal(got, c.want) {
			t.Errorf("Glob(%q) = %q, want %q", c.pattern, got, c.want)
		}
	}
}

func TestGlobSub(t *testing.T) {
	st := globStore(t)
	sub, err := st.Sub("data")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := glob(t, sub, "*.parquet"), []string{"x.parquet", "y.parquet"}; !slices.Equal(got, want) {
		t.Errorf("Sub(data).Glob(*.parquet) = %q, want %q", got, want)
	}
	if got := glob(t, sub, "**/*.csv"); got != nil {
		t.Errorf("Sub(data).Glob(**/*.csv) = %q: escaped the sub-store", got)
	}
}

func TestGlobInvalid(t *testing.T) {
	st := globStore(t)
	for _, pat := range []string{"[", "data/[", "a/[z-", "../*", "data/../../*", "/abs/*", "a\x00*"} {
		var got error
		for _, err := range st.Glob(context.Background(), pat) {
			got = err
			break
		}
		if !errors.Is(got, store.ErrInvalidPath) {
			t.Errorf("Glob(%q) = %v, want ErrInvalidPath", pat, got)
		}
	}
}

func TestGlobStopsEarly(t *testing.T) {
	st := globStore(t)
	n := 0
	for _, err := range st.Glob(context.Background(), "**") {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("got %d results before break", n)
	}
}
