package interpreter

import (
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
)

// threadFailure is the failure of an operation run on a thread that no waitForThread
// reported: the spec has the whole test fail when a thread's operation does (the
// operations still running when the test's own are done are not waited for).
func (tr *testRun) threadFailure() *result.Verdict {
	var v *result.Verdict
	tr.entities.Each(func(id string, e entities.Entity) {
		if t, ok := e.(*entities.Thread); ok && v == nil {
			if err := t.Err(); err != nil {
				v = judge("thread "+id, err)
			}
		}
	})
	return v
}
