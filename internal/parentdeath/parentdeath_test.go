package parentdeath

import (
	"os"
	"testing"
)

func TestRequestedReadsAndClears(t *testing.T) {
	for v, want := range map[string]int{"4242": 4242, "x": 0, "1": 0, "-3": 0} {
		t.Setenv(Env, v)
		if got := requested(); got != want {
			t.Errorf("%s=%q: %d, want %d", Env, v, got, want)
		}
		if _, ok := os.LookupEnv(Env); ok {
			t.Errorf("%s=%q left in the environment", Env, v)
		}
	}
	os.Unsetenv(Env)
	if got := requested(); got != 0 {
		t.Errorf("unset: %d", got)
	}
}
