// Package manifesttest checks the deployment files of deploy/kubernetes
// against the upstream types and parsers: the Job manifest decodes
// strictly into k8s.io/api batch/v1.Job, the Dockerfile parses with
// BuildKit's parser and has the shape the image needs, and the GitHub
// Actions example shards the way the command does. It is its own module,
// so the main module does not depend on Kubernetes; `make test` runs it.
package manifesttest

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// documents splits a multi-document YAML file and decodes each strictly
// (an unknown or misspelt field is an error) into the type its kind
// names.
func documents(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var objs []any
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("%s document %d: %v", path, i+1, err)
		}
		var obj any
		switch meta.APIVersion + " " + meta.Kind {
		case "batch/v1 Job":
			obj = &batchv1.Job{}
		case "v1 PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		case "v1 Pod":
			obj = &corev1.Pod{}
		default:
			t.Fatalf("%s document %d: unexpected %s %s", path, i+1, meta.APIVersion, meta.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("%s document %d (%s): %v", path, i+1, meta.Kind, err)
		}
		objs = append(objs, obj)
	}
	return objs
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestSweepJob(t *testing.T) {
	objs := documents(t, "../sweep.yaml")
	var job *batchv1.Job
	var pvc *corev1.PersistentVolumeClaim
	for _, o := range objs {
		switch o := o.(type) {
		case *batchv1.Job:
			job = o
		case *corev1.PersistentVolumeClaim:
			pvc = o
		}
	}
	if job == nil || pvc == nil {
		t.Fatalf("sweep.yaml holds %d objects, want a Job and its PersistentVolumeClaim", len(objs))
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("completionMode %v, want Indexed (each pod gets its JOB_COMPLETION_INDEX)", s.CompletionMode)
	}
	if s.Completions == nil || *s.Completions < 1 || s.Parallelism == nil || *s.Parallelism < 1 || *s.Parallelism > *s.Completions {
		t.Errorf("completions %v, parallelism %v: want completions ≥ 1 and 1 ≤ parallelism ≤ completions", s.Completions, s.Parallelism)
	}
	if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1 {
		t.Errorf("backoffLimitPerIndex %v: want retries per shard (a retry resumes it)", s.BackoffLimitPerIndex)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q, want Never (backoffLimitPerIndex and podFailurePolicy require it)", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]

	// The shard count faultline reads must be the Job's completions.
	count := ""
	for _, e := range c.Env {
		if e.Name == "JOB_COMPLETION_COUNT" {
			count = e.Value
		}
		if e.Name == "JOB_COMPLETION_INDEX" {
			t.Errorf("the container sets JOB_COMPLETION_INDEX itself; the Job controller sets it")
		}
	}
	if s.Completions != nil && count != strconv.Itoa(int(*s.Completions)) {
		t.Errorf("JOB_COMPLETION_COUNT=%q but completions is %v: the shards would not cover the range", count, *s.Completions)
	}

	// faultline run SCENARIO --seeds A..B --workers N --out /results/shard-$(JOB_COMPLETION_INDEX)
	args := c.Args
	flag := func(name string) string {
		i := slices.Index(args, name)
		if i < 0 || i+1 >= len(args) {
			t.Errorf("args %q lack %s", args, name)
			return ""
		}
		return args[i+1]
	}
	if len(args) < 2 || args[0] != "run" {
		t.Errorf("args %q: want run SCENARIO ...", args)
	}
	if !regexp.MustCompile(`^\d+\.\.\d+$`).MatchString(flag("--seeds")) {
		t.Errorf("--seeds %q: want a range A..B", flag("--seeds"))
	}
	if slices.Contains(args, "--shard") {
		t.Errorf("args %q set --shard: the pods take theirs from the environment", args)
	}
	out := flag("--out")
	if !strings.Contains(out, "$(JOB_COMPLETION_INDEX)") {
		t.Errorf("--out %q: want a directory per shard, named by $(JOB_COMPLETION_INDEX)", out)
	}
	workers, err := strconv.Atoi(flag("--workers"))
	cpu := c.Resources.Requests[corev1.ResourceCPU]
	if err != nil || int64(workers) != cpu.Value() {
		t.Errorf("--workers %q and a CPU request of %s: want one worker per requested core", flag("--workers"), cpu.String())
	}
	// Every worker at its seed limit, and the sweep's own process, stay
	// under the container's limit: a heavy seed is recorded as oom, not the
	// pod OOM-killed (the flag's units are 2GiB/512MiB; Kubernetes' Gi/Mi).
	limit, ok := c.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		t.Errorf("no memory limit")
	}
	seedMem, err := resource.ParseQuantity(strings.TrimSuffix(flag("--seed-memory"), "B"))
	if err != nil {
		t.Errorf("--seed-memory %q: %v", flag("--seed-memory"), err)
	} else if ok && seedMem.Value()*int64(workers)*5/4 > limit.Value() {
		t.Errorf("--seed-memory %s × %d workers (+¼ for the sweep) exceeds the memory limit %s: the pod, not the seed, would be killed",
			flag("--seed-memory"), workers, limit.String())
	}

	// The results reach the shared volume.
	mounted := false
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(out, m.MountPath+"/") {
			for _, v := range pod.Volumes {
				if v.Name == m.Name && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name {
					mounted = true
				}
			}
		}
	}
	if !mounted {
		t.Errorf("--out %q is not on a volume of the claim %s", out, pvc.Name)
	}
	if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("claim access modes %v: the shards' pods write at once (ReadWriteMany)", pvc.Spec.AccessModes)
	}

	// Verdicts are not crashes: a shard that found failing seeds is not
	// retried, and bad usage fails the Job at once.
	actions := map[int32]batchv1.PodFailurePolicyAction{}
	if s.PodFailurePolicy == nil {
		t.Fatal("no podFailurePolicy")
	}
	for _, r := range s.PodFailurePolicy.Rules {
		if r.OnExitCodes != nil {
			for _, v := range r.OnExitCodes.Values {
				actions[v] = r.Action
			}
		}
	}
	for code, want := range map[int32]batchv1.PodFailurePolicyAction{1: batchv1.PodFailurePolicyActionFailIndex, 3: batchv1.PodFailurePolicyActionFailIndex,
		4: batchv1.PodFailurePolicyActionFailIndex, 5: batchv1.PodFailurePolicyActionFailIndex, 7: batchv1.PodFailurePolicyActionFailIndex, 2: batchv1.PodFailurePolicyActionFailJob} {
		if actions[code] != want {
			t.Errorf("exit code %d: action %q, want %q", code, actions[code], want)
		}
	}
	if _, retried := actions[6]; retried {
		t.Errorf("exit 6 (the command crashed) has a rule; it should be retried as any crash")
	}

	// Non-root, matching the image's user.
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("pod securityContext %+v: want runAsNonRoot and a non-zero runAsUser", sc)
	}
	if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
		t.Errorf("container securityContext: want a read-only root filesystem (results go to the volume)")
	}
}

func TestResultsReader(t *testing.T) {
	objs := documents(t, "../results-reader.yaml")
	if len(objs) != 1 {
		t.Fatalf("%d objects, want one Pod", len(objs))
	}
	pod, ok := objs[0].(*corev1.Pod)
	if !ok || len(pod.Spec.Volumes) != 1 || pod.Spec.Volumes[0].PersistentVolumeClaim == nil || pod.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "faultline-results" {
		t.Errorf("the reader pod must mount the claim faultline-results: %+v", objs[0])
	}
}

// The Dockerfile parses (BuildKit's own parser, with its warnings) into
// a build stage and a final stage that copies only the static binary and
// runs it as a non-root user.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile: %s", w.Short)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a multi-stage build", len(stages))
	}
	for _, s := range stages {
		if !strings.Contains(s.BaseName, ":") || strings.HasSuffix(s.BaseName, ":latest") {
			t.Errorf("FROM %s: pin a tag", s.BaseName)
		}
	}
	build, final := stages[0], stages[len(stages)-1]
	static := false
	for _, cmd := range build.Commands {
		if r, ok := cmd.(*instructions.RunCommand); ok {
			line := strings.Join(r.CmdLine, " ")
			if strings.Contains(line, "CGO_ENABLED=0") && strings.Contains(line, "go build") && strings.Contains(line, "./cmd/faultline") {
				static = true
			}
		}
	}
	if !static {
		t.Errorf("the build stage does not build ./cmd/faultline with CGO_ENABLED=0 (a static binary)")
	}
	var user string
	var entry []string
	for _, cmd := range final.Commands {
		switch c := cmd.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			if !c.PrependShell {
				entry = c.CmdLine
			}
		case *instructions.CopyCommand:
			if c.From != build.Name {
				t.Errorf("the final stage copies %v from %q, not from the build stage", c.SourcePaths, c.From)
			}
		case *instructions.RunCommand:
			t.Errorf("the final stage runs %v: it should hold the binary only", c.CmdLine)
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("USER %q: want a numeric non-root user (runAsNonRoot checks a number)", user)
	}
	if len(entry) != 1 || !strings.HasSuffix(entry[0], "/faultline") {
		t.Errorf("ENTRYPOINT %q: want the binary, in exec form", entry)
	}
}

// The GitHub Actions example shards as the command does: a matrix of
// shard indexes 0..N-1 and --shard INDEX/N.
func TestGitHubActionsMatrix(t *testing.T) {
	data, err := os.ReadFile("../github-actions-sweep.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Needs    any `json:"needs"`
			Strategy struct {
				FailFast *bool `json:"fail-fast"`
				Matrix   struct {
					Shard []int `json:"shard"`
				} `json:"matrix"`
			} `json:"strategy"`
			Steps []step `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	shard, merge := wf.Jobs["shard"], wf.Jobs["merge"]
	n := len(shard.Strategy.Matrix.Shard)
	for i, s := range shard.Strategy.Matrix.Shard {
		if s != i {
			t.Errorf("matrix shard %v: want 0..%d", shard.Strategy.Matrix.Shard, n-1)
			break
		}
	}
	if f := shard.Strategy.FailFast; f == nil || *f {
		t.Errorf("fail-fast is not false: a shard that finds a bug would cancel the others")
	}
	runs := func(steps []step) string {
		var b strings.Builder
		for _, s := range steps {
			b.WriteString(s.Run + "\n")
		}
		return b.String()
	}
	if want := "--shard ${{ matrix.shard }}/" + strconv.Itoa(n); !strings.Contains(runs(shard.Steps), want) {
		t.Errorf("the shard job does not run %s", want)
	}
	if merge.Needs != "shard" || !strings.Contains(runs(merge.Steps), "faultline merge") || !strings.Contains(runs(merge.Steps), "--junit") {
		t.Errorf("the merge job does not follow the shards with faultline merge --junit")
	}
	// A shard that found a failing seed of any kind has complete results:
	// the step passes on exactly the codes the Job's podFailurePolicy
	// fails an index for without a retry (and on 0), and the results are
	// uploaded whatever the step's outcome, so merge sees every seed run.
	if want := "case \"$code\" in 0|" + strings.Join(failIndexCodes(t), "|") + ") ;; *) exit \"$code\" ;; esac"; !strings.Contains(runs(shard.Steps), want) {
		t.Errorf("the shard step does not pass on the verdict exit codes: want %s", want)
	}
	for _, s := range shard.Steps {
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") && s.If != "always()" {
			t.Errorf("the shard's upload has if %q: want always(), or a shard that failed loses its results", s.If)
		}
	}
}

// step is a GitHub Actions step, as far as the test reads it.
type step struct {
	Run  string `json:"run"`
	Uses string `json:"uses"`
	If   string `json:"if"`
}

// failIndexCodes are the exit codes sweep.yaml's podFailurePolicy fails
// an index for (a shard's results complete, with failing seeds).
func failIndexCodes(t *testing.T) []string {
	t.Helper()
	for _, obj := range documents(t, "../sweep.yaml") {
		job, ok := obj.(*batchv1.Job)
		if !ok || job.Spec.PodFailurePolicy == nil {
			continue
		}
		for _, r := range job.Spec.PodFailurePolicy.Rules {
			if r.Action == batchv1.PodFailurePolicyActionFailIndex && r.OnExitCodes != nil {
				var codes []string
				for _, c := range r.OnExitCodes.Values {
					codes = append(codes, strconv.Itoa(int(c)))
				}
				return codes
			}
		}
	}
	t.Fatal("sweep.yaml has no FailIndex rule on exit codes")
	return nil
}
