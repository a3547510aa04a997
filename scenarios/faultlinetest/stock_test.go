package faultlinetest_test

import "github.com/faultline/faultline/internal/stock"

// The runner knows no protocol: its tests register the ones they run, as
// the faultline command does.
func init() { stock.Register() }
