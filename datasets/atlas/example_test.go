package atlas_test

import (
	"fmt"

	"hermanar/datasets/atlas"
)

func ExampleLoad() {
	states, err := atlas.Load(atlas.States10m, "states")
	if err != nil {
		panic(err)
	}
	for _, s := range states {
		if s.Contains(atlas.Point{-88.73, 42.83}) { // Whitewater
			fmt.Println(s.ID, s.Name)
		}
	}
	// Output: 55 Wisconsin
}
