// Command landfall is the operator CLI for landfall: it checks the
// configuration, plans, applies and inspects account baselines, vends
// accounts and proves that alarms reach people. It holds only what an
// operator runs against a real organization; the local AWS endpoint, the
// demo and the benchmarks are the developers' landfall-dev
// (internal/cmd/landfall-dev).
//
// Each subcommand lives in its own file (validate.go, ...) and is registered in
// the ordered table of program, which is also the order `landfall help` lists
// them in.
package main

import "github.com/landfall/landfall/internal/cli"

// program is the operator CLI. Add a subcommand by writing <name>.go with its
// run function and adding one line here.
func program() cli.Program {
	return cli.Program{
		Name:  "landfall",
		About: "landfall applies and keeps a security baseline on every account of an AWS Organization.",
		Commands: []cli.Command{
			{Name: "validate", Summary: "check the config file and print a summary", Run: runValidate},
			{Name: "plan", Summary: "show what applying the baseline to an account would change", Run: runPlan},
			{Name: "apply", Summary: "show an account's plan, ask, and apply what you approve", Run: runApply},
			{Name: "status", Summary: "show every account's baseline from the ledger, and delivery health", Run: runStatus},
			{Name: "rerun", Summary: "start the BaselineAccount pipeline for an account", Run: runRerun},
			{Name: "vend", Summary: "create an account and follow it until it is baselined", Run: runVend},
			{Name: "alerts", Summary: "prove each alarm of an account reaches the central fan-in (alerts test)", Run: runAlerts},
			{Name: "restore-trust", Summary: "give an account's entry role its trust policy back as landfall found it", Run: runRestoreTrust},
		},
		ExitCodes: []cli.ExitCode{
			{Code: cli.ExitOK, Meaning: "success (plan and apply: also nothing to change)"},
			{Code: cli.ExitFail, Meaning: "the command failed or found a problem: an invalid config, an AWS error, an apply that failed\n" +
				"     or was not approved, an alarm that did not arrive, an account not baselined (rerun --wait,\n" +
				"     vend); plan: also a wrong command line"},
			{Code: cli.ExitUsage, Meaning: "the command line is wrong; plan: changes are pending, as terraform plan -detailed-exitcode"},
		},
	}
}

func main() { cli.Main(program()) }
