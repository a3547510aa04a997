package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// The store: every command that writes artifacts (run, merge, replay,
// shrink, hunt) writes one run directory,
//
//	ROOT/<scenario>/<run id>/
//
// and points ROOT/<scenario>/latest at it (a relative symbolic link; where
// links cannot be made, a file naming the run). A sweep's run directory
// holds results.jsonl, summary.json, scenario.yaml, index.html and a
// seed-N/ directory per failing seed; replay's holds its seed-N/. --out
// chooses ROOT; a --out that is itself a run directory (it holds
// results.jsonl) is used as it is, which is how an explicit resume and
// the layout of earlier versions keep working.
const (
	// defaultStore is the root of commands that always write (replay,
	// shrink, hunt); a sweep writes only when given --out.
	defaultStore = "out"
	latestName   = "latest"
	// corpusDirName is the hunt corpus beside a scenario's runs (not a run).
	corpusDirName = "corpus"
	summaryFile   = "summary.json"
	resultsFile   = "results.jsonl"
)

// runID names a run by its start, in UTC to the millisecond: ids sort by
// time, and a second run in the same millisecond gets a counter.
func runID(t time.Time) string {
	return t.UTC().Format("20060102T150405.000Z")
}

// createRun makes a new run directory of scenario under root and points
// latest at it.
func createRun(root, scenario string) (string, error) {
	dir, err := makeRun(root, scenario)
	if err != nil {
		return "", err
	}
	return dir, setLatest(filepath.Dir(dir), filepath.Base(dir))
}

// makeRun makes a new run directory of scenario under root, leaving latest
// as it is (merge moves it only once the merge succeeded).
func makeRun(root, scenario string) (string, error) {
	scDir := filepath.Join(root, scenarios.SafeDirName(scenario))
	if err := os.MkdirAll(scDir, 0o755); err != nil {
		return "", err
	}
	id := runID(time.Now())
	for i := 0; ; i++ {
		name := id
		if i > 0 {
			name = fmt.Sprintf("%s-%02d", id, i)
		}
		dir := filepath.Join(scDir, name)
		err := os.Mkdir(dir, 0o755)
		if errors.Is(err, fs.ErrExist) && i < 99 {
			continue
		}
		if err != nil {
			return "", err
		}
		return dir, nil
	}
}

// setLatest points scDir/latest at the run name, atomically: a symbolic
// link renamed over the old one, or a file naming the run where the
// system makes no links.
func setLatest(scDir, name string) error {
	latest := filepath.Join(scDir, latestName)
	if st, err := os.Lstat(latest); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory, not a link Faultline made; leaving it alone", latest)
	}
	tmp := latest + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(name, tmp); err != nil {
		if err := os.WriteFile(tmp, []byte(name+"\n"), 0o644); err != nil {
			return err
		}
	}
	return os.Rename(tmp, latest)
}

// latestRun is the run scDir/latest names ("" when there is none).
func latestRun(scDir string) string {
	latest := filepath.Join(scDir, latestName)
	st, err := os.Lstat(latest)
	if err != nil {
		return ""
	}
	if st.IsDir() {
		return latest // the run itself, where a copy (an archive, a CI artifact) turned the link into a directory
	}
	var name string
	if st.Mode()&fs.ModeSymlink != 0 {
		name, _ = os.Readlink(latest)
	} else if data, err := os.ReadFile(latest); err == nil {
		name = strings.TrimSpace(string(data))
	}
	// Only a run beside the link: a link elsewhere is not ours to follow.
	if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
		return ""
	}
	dir := filepath.Join(scDir, name)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// isSweepRun reports whether dir is a sweep's run directory.
func isSweepRun(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, resultsFile))
	return err == nil && st.Mode().IsRegular()
}

// findRun turns what a user names as a sweep's results (report, merge,
// serve) into a run directory: the run directory itself, a scenario's
// directory (its latest run), or a root holding one scenario (its latest
// run).
func findRun(dir string) (string, error) {
	if isSweepRun(dir) {
		return dir, nil
	}
	if run := latestRun(dir); run != "" && isSweepRun(run) {
		return run, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var runs []string
	for _, e := range entries {
		if run := latestRun(filepath.Join(dir, e.Name())); e.IsDir() && run != "" && isSweepRun(run) {
			runs = append(runs, run)
		}
	}
	switch len(runs) {
	case 1:
		return runs[0], nil
	case 0:
		return "", fmt.Errorf("%s holds no sweep's results (no %s in it, nor a latest run of a scenario under it)", dir, resultsFile)
	}
	return "", fmt.Errorf("%s holds the runs of %d scenarios; name one: %s", dir, len(runs), strings.Join(runs, ", "))
}

// sweepRunDir chooses the run directory of a sweep given --out: out itself
// when it is a run directory (resumed as it is); else, under the root
// out, the scenario's latest run when it is a run of this same sweep
// (same scenario, build and shard, and no seed outside this range: running
// the same command again resumes it, and a wider range extends it); else
// a new run.
func sweepRunDir(out string, sc *scenarios.Scenario, first, last uint64, shard *scenarios.ShardOf) (dir string, resumed bool, err error) {
	if isSweepRun(out) {
		return out, true, nil
	}
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		return "", false, fmt.Errorf("--out %s is a file; want a directory (the store's root, or a run directory to resume)", out)
	}
	scDir := filepath.Join(out, scenarios.SafeDirName(sc.Name))
	if run := latestRun(scDir); run != "" && sameSweep(run, sc, first, last, shard) {
		return run, true, nil
	}
	dir, err = createRun(out, sc.Name)
	return dir, false, err
}

// sameSweep reports whether run holds results of this sweep: the
// scenario, build and shard its header records, and only seeds of
// first..last.
func sameSweep(run string, sc *scenarios.Scenario, first, last uint64, shard *scenarios.ShardOf) bool {
	f, err := os.Open(filepath.Join(run, resultsFile))
	if err != nil {
		return false
	}
	defer f.Close()
	r := bufio.NewScanner(f)
	r.Buffer(nil, 16<<20)
	var hdr struct {
		Fingerprint string             `json:"fingerprint"`
		Build       string             `json:"build"`
		Shard       *scenarios.ShardOf `json:"shard"`
	}
	if !r.Scan() || json.Unmarshal(r.Bytes(), &hdr) != nil {
		return false
	}
	if hdr.Fingerprint != scenarios.Fingerprint(sc) || hdr.Build != scenarios.BinaryBuild() {
		return false
	}
	if (hdr.Shard == nil) != (shard == nil) || hdr.Shard != nil && *hdr.Shard != *shard {
		return false
	}
	for r.Scan() {
		var o struct {
			Seed *uint64 `json:"seed"`
		}
		if json.Unmarshal(r.Bytes(), &o) == nil && o.Seed != nil && (*o.Seed < first || *o.Seed > last) {
			return false
		}
	}
	return r.Err() == nil
}

// resultsScenario is the scenario name a run's results header records.
func resultsScenario(run string) (string, error) {
	f, err := os.Open(filepath.Join(run, resultsFile))
	if err != nil {
		return "", err
	}
	defer f.Close()
	r := bufio.NewScanner(f)
	r.Buffer(nil, 16<<20)
	var hdr struct {
		Scenario string `json:"scenario"`
	}
	if !r.Scan() || json.Unmarshal(r.Bytes(), &hdr) != nil || hdr.Scenario == "" {
		return "", fmt.Errorf("%s:1: not a Faultline results file", filepath.Join(run, resultsFile))
	}
	return hdr.Scenario, nil
}

// storeRuns lists the run directories under root, by scenario and then by
// run id (newest last): what serve's index shows.
func storeRuns(root string) (map[string][]string, []string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, err
	}
	runs := map[string][]string{}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub, err := os.ReadDir(filepath.Join(root, e.Name()))
		if err != nil {
			continue
		}
		for _, r := range sub {
			if r.IsDir() && r.Name() != latestName && r.Name() != corpusDirName {
				runs[e.Name()] = append(runs[e.Name()], r.Name())
			}
		}
		if len(runs[e.Name()]) > 0 {
			slices.Sort(runs[e.Name()])
			names = append(names, e.Name())
		}
	}
	return runs, names, nil
}
