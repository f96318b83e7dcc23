package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// newBar draws the progress of long work on w (stderr): count, rate, ETA.
// The packages only report done/total through callbacks; the command line
// is the one place that draws.
func newBar(w io.Writer, total int, what, unit string) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}

// barProgress is a done/total callback that draws on w, creating the bar on
// the first report; nil when w is nil (silent).
func barProgress(w io.Writer, what, unit string) func(done, total int) {
	if w == nil {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = newBar(w, total, what, unit)
		}
		_ = bar.Set(done)
	}
}
