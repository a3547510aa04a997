package scenarios

import (
	"slices"
	"testing"

	"github.com/faultline/faultline/checker"
)

// A compare row summarises each metric over its seeds as the metric says,
// or as its name implies: counts add up, maxima take the largest, shares
// average, and a percentile is the median seed's.
func TestMetricSummaryAcrossSeeds(t *testing.T) {
	var a metricSeeds
	for _, seed := range [][]checker.Metric{
		{{Name: "lost writes", Value: 1}, {Name: "p50 ms", Value: 10}, {Name: "max ms", Value: 40}, {Name: "available share", Value: 0.5}, {Name: "retries", Value: 7, Across: checker.AcrossMax}},
		{{Name: "lost writes", Value: 2}, {Name: "p50 ms", Value: 900}, {Name: "max ms", Value: 90}, {Name: "available share", Value: 1}, {Name: "retries", Value: 3, Across: checker.AcrossMax}},
		{{Name: "lost writes", Value: 0}, {Name: "p50 ms", Value: 20}, {Name: "max ms", Value: 30}, {Name: "available share", Value: 0.75}, {Name: "retries", Value: 5, Across: checker.AcrossMax}},
	} {
		a.add(seed)
	}
	got := a.summary()
	want := []checker.Metric{
		{Name: "lost writes", Value: 3, Across: checker.AcrossSum},
		{Name: "p50 ms", Value: 20, Across: checker.AcrossMedian}, // not 900, the worst seed's
		{Name: "max ms", Value: 90, Across: checker.AcrossMax},
		{Name: "available share", Value: 0.75, Across: checker.AcrossMean},
		{Name: "retries", Value: 7, Across: checker.AcrossMax}, // as declared, whatever the name
	}
	if !slices.Equal(got, want) {
		t.Errorf("summary:\n got %+v\nwant %+v", got, want)
	}
	var none metricSeeds
	if none.summary() != nil {
		t.Error("no metrics summarised to a non-nil list")
	}
}

func TestStaleShareFromCounts(t *testing.T) {
	var a metricSeeds
	a.add([]checker.Metric{{Name: "reads", Value: 10}, {Name: "stale reads", Value: 5}, {Name: "stale share", Value: 0.5}})
	a.add([]checker.Metric{{Name: "reads", Value: 90}, {Name: "stale reads", Value: 5}, {Name: "stale share", Value: 5.0 / 90}})
	for _, m := range a.summary() {
		if m.Name == "stale share" && m.Value != 0.1 {
			t.Errorf("stale share %v, want 10/100 pooled (not the mean of the seeds' shares)", m.Value)
		}
	}
}
