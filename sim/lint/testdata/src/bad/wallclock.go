// Package bad plants one or more violations of every determinism rule. The
// table in lint_test.go lists exactly which rule fires on which line.
package bad

import (
	"time"
	clock "time"
)

func wallclock() {
	_ = time.Now()
	_ = time.Since(time.Time{})
	_ = time.Until(time.Time{})
	time.Sleep(time.Millisecond)
	<-time.After(time.Second)
	time.AfterFunc(time.Second, func() {})
	_ = time.NewTimer(time.Second)
	_ = clock.NewTicker(time.Second)
	_ = time.Tick(time.Second)
	now := time.Now
	_ = now
}
