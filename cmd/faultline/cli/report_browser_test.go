package cli

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// The reports render in a real browser: headless Chromium (Debian's
// chromium package) takes screenshots, which must show the sweep page's
// verdict table's coloured cells and the plot's failure-rate bars, and a
// failing seed's page's verdict cell and plots. Skipped where no Chromium
// is installed, and under -short.
func TestReportRendersInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	var browser string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium on PATH (apt-get install chromium)")
	}
	dir := t.TempDir()
	if code, out, errOut := runCLI("run", "../../../scenarios/bugs/abd-no-write-back.yaml", "--seeds", "1..10", "--out", dir); code != scenarios.ExitInvalid {
		t.Fatalf("run exit %d:\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI("report", dir); code != 0 {
		t.Fatalf("report exit %d:\n%s%s", code, out, errOut)
	}
	img := screenshot(t, browser, filepath.Join(onlyRun(t, dir), "index.html"))
	validCell, invalidCell, bars := count(img, 0xe3, 0xf4, 0xe3), count(img, 0xfb, 0xe3, 0xe3), 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 > 180 && g>>8 < 80 && bl>>8 < 80 {
				bars++
			}
		}
	}
	t.Logf("valid cell %d px, failing rows %d px, red bars %d px", validCell, invalidCell, bars)
	// A table cell is ~60×20 pixels; a failure-rate bar hundreds wide.
	if validCell < 500 || invalidCell < 500 || bars < 2000 {
		t.Errorf("the screenshot shows %d pixels of the valid cell's colour, %d of the failing rows', %d of the plot's red bars: the table or the plot did not render", validCell, invalidCell, bars)
	}

	// A failing seed's own page (written by the run, with no other
	// command): its table's verdict cell, and the plots — the heal shaded
	// in each, the green line of completed operations.
	img = screenshot(t, browser, filepath.Join(onlyRun(t, dir), "seed-1", SeedPageFile))
	verdict, heal, ok := count(img, 0xfb, 0xe3, 0xe3), count(img, 0xeb, 0xf6, 0xec), count(img, 0x2e, 0x9d, 0x3a)
	t.Logf("seed page: verdict cell %d px, heal shading %d px, ok line %d px", verdict, heal, ok)
	if verdict < 500 || heal < 20000 || ok < 500 {
		t.Errorf("the seed page's screenshot shows %d pixels of the verdict cell's colour, %d of the heal's shading, %d of the ok line: the table or the plots did not render", verdict, heal, ok)
	}
}

// screenshot opens page in headless Chromium and returns what it shows.
func screenshot(t *testing.T, browser, page string) image.Image {
	t.Helper()
	shot := filepath.Join(t.TempDir(), "shot.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+t.TempDir(), "--window-size=1200,2600", "--screenshot="+shot, "file://"+page)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// count is how many pixels have exactly this colour.
func count(img image.Image, r, g, b uint8) int {
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			R, G, B, _ := img.At(x, y).RGBA()
			if uint8(R>>8) == r && uint8(G>>8) == g && uint8(B>>8) == b {
				n++
			}
		}
	}
	return n
}
