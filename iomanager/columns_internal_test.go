package iomanager

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestConstColumn: every row holds the value, for empty values, empty
// arrays and lengths around the doubling copy's steps; nothing leaks.
func TestConstColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, v := range []string{"2024-01-01", "", "é", "x"} {
		for _, n := range []int{0, 1, 2, 3, 7, 8, 1000} {
			a := constColumn(mem, v, n).(*array.String)
			if err := a.ValidateFull(); err != nil {
				t.Fatalf("%q×%d: %v", v, n, err)
			}
			if a.Len() != n || a.NullN() != 0 {
				t.Fatalf("%q×%d: len %d nulls %d", v, n, a.Len(), a.NullN())
			}
			for i := 0; i < n; i++ {
				if a.Value(i) != v {
					t.Fatalf("%q×%d: row %d = %q", v, n, i, a.Value(i))
				}
			}
			a.Release()
		}
	}
}
