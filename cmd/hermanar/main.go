// Command hermanar recommends foreign partner cities to Mexican
// municipalities: it serves the API and pages, ranks in bulk, evaluates
// against real twinnings and manages the data. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if exitCode(err) == 0 {
			return // -h: the flag package already printed the usage
		}
		fmt.Fprintln(os.Stderr, "hermanar:", err)
		os.Exit(exitCode(err))
	}
}
