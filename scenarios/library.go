package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// library holds the curated scenarios shipped with Faultline, so the
// command can run them on a machine without the source tree.
//
//go:embed *.yaml bugs/*.yaml
var library embed.FS

// DefaultScenario is the library scenario `faultline demo` runs.
const DefaultScenario = "raft-kv-partitions.yaml"

// Library lists the embedded scenario files (bug scenarios under bugs/).
func Library() []string {
	var names []string
	fs.WalkDir(library, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".yaml") {
			names = append(names, path)
		}
		return nil
	})
	sort.Strings(names)
	return names
}

// LoadLibrary decodes an embedded scenario by its file name.
func LoadLibrary(name string) (*Scenario, error) {
	data, err := library.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("scenarios: no library scenario %q (have: %s)", name, strings.Join(Library(), ", "))
	}
	sc, err := Parse(name, data)
	if err != nil {
		return nil, err
	}
	sc.Source = "scenarios/" + name
	return sc, nil
}
