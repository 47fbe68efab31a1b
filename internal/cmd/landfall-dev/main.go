// Command landfall-dev is the developers' binary: the local AWS endpoint,
// the offline demo and the benchmarks. It runs from a checkout of the
// repository (it builds the functions and reads the synthesized templates),
// and is kept apart from the operator's `landfall` so that the binary that
// manages an organization carries no AWS emulator and no credential-vending
// endpoint.
package main

import "github.com/landfall/landfall/internal/cli"

// program is the developers' CLI, in the order help lists its commands.
func program() cli.Program {
	return cli.Program{
		Name:  "landfall-dev",
		About: "landfall-dev runs landfall's instruments from a checkout: the local AWS endpoint, the demo and the benchmarks.",
		Commands: []cli.Command{
			{Name: "local", Summary: "serve the local AWS endpoint (local serve)", Run: runLocal},
			{Name: "demo", Summary: "run the whole story offline against the local endpoint", Run: runDemo},
			{Name: "bench", Summary: "measure speed, API calls and scale against the local endpoint", Run: runBench},
		},
	}
}

func main() { cli.Main(program()) }
