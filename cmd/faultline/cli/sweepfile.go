package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/viz"
)

// readSweepPoints reads the outcomes in a results.jsonl written by the
// run command's --out DIR; name is the binary's, for the error.
func readSweepPoints(path, name string) ([]viz.SweepPoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	var pts []viz.SweepPoint
	line := 0
	for sc.Scan() {
		line++
		if line == 1 {
			continue // header
		}
		var o scenarios.Outcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			continue // an interrupted last line
		}
		eps := 0.0
		if o.Wall > 0 {
			eps = float64(o.Events) / o.Wall.Seconds()
		}
		pts = append(pts, viz.SweepPoint{Seed: o.Seed, Verdict: string(o.Status), Faults: o.Faults, EventsPerSec: eps})
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("%s: no results (want the results.jsonl of %s run --out DIR)", path, name)
	}
	return pts, sc.Err()
}
