package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/ledger"
)

// vendPoll is how often vend checks the account creation and then the
// ledger. AWS's example creation finishes in seconds; a baseline in minutes.
const vendPoll = 5 * time.Second

// runVend implements `landfall vend --name N --email E [--ou PATH]`.
func runVend(ctx context.Context, e cli.Env, args []string) int {
	return vend(ctx, e, args, vendPoll, newProgress(e.Stdout))
}

// vendFlags are vend's command line.
type vendFlags struct {
	name, email, ou, config string
	tags                    tagFlag
	timeout                 time.Duration
}

func (f *vendFlags) check() error {
	switch {
	case f.name == "" || len(f.name) > 50:
		return fmt.Errorf("--name must be 1 to 50 characters, got %q", f.name)
	case !strings.Contains(f.email, "@") || strings.ContainsAny(f.email, " \t"):
		return fmt.Errorf("--email must be an email address, got %q", f.email)
	case f.ou != "" && f.ou != "/Root" && !strings.HasPrefix(f.ou, "/Root/"):
		return fmt.Errorf("--ou must be an OU path from the root such as /Root/Workloads/Prod, got %q", f.ou)
	case f.timeout <= 0:
		return fmt.Errorf("--timeout must be positive, got %s", f.timeout)
	}
	return nil
}

// tagFlag collects repeated --tag k=v flags.
type tagFlag map[string]string

func (t tagFlag) String() string {
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(t)) {
		pairs = append(pairs, k+"="+t[k])
	}
	return strings.Join(pairs, ",")
}

func (t tagFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	t[k] = v
	return nil
}

// vend is runVend with the poll interval and the progress display as
// parameters, for tests.
func vend(ctx context.Context, e cli.Env, args []string, poll time.Duration, p *progress) int {
	fs := flag.NewFlagSet("vend", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	f := vendFlags{tags: tagFlag{}}
	fs.StringVar(&f.name, "name", "", "the new account's name (required)")
	fs.StringVar(&f.email, "email", "", "the new account's root user email, unique across AWS (required)")
	fs.StringVar(&f.ou, "ou", "", "move the account to this OU path, e.g. /Root/Workloads/Prod (default: stay in the root)")
	fs.Var(f.tags, "tag", "tag the account with key=value (repeatable); tags can select the baseline profile")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up after this long")
	fs.StringVar(&f.config, "config", "", configFlagUsage)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall vend --name N --email E [--ou /Root/Workloads/Prod] [--tag k=v ...]\n\n"+
			"Create an account through Organizations, move it to an OU, then follow it until\n"+
			"landfall's pipeline has baselined it. Exit status: 0 baselined (or skipped by\n"+
			"the config), 1 creation or baseline failed or timed out.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := f.check(); err != nil {
		fmt.Fprintf(e.Stderr, "landfall vend: %v\n", err)
		return cli.ExitUsage
	}
	op, err := connect(ctx, e, f.config)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall vend: %v\n", err)
		return cli.ExitFail
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	v := vending{org: organizations.NewFromConfig(op.aws), ledger: op.ledger(), poll: poll, progress: p, start: time.Now()}
	err = v.run(ctx, e, f)
	p.done()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s %s", f.timeout, v.phase)
		if v.account != "" {
			err = fmt.Errorf("%w; account %s exists: follow it with `landfall status`", err, v.account)
		}
	}
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall vend: %v\n", err)
		return cli.ExitFail
	}
	return cli.ExitOK
}

// vending is one vend in progress.
type vending struct {
	org      *organizations.Client
	ledger   *ledger.Ledger
	poll     time.Duration
	progress *progress
	start    time.Time
	// phase says what vend is waiting for, for the timeout message.
	phase string
	// account is the new account's id, once Organizations has created it.
	account string
}

func (v *vending) run(ctx context.Context, e cli.Env, f vendFlags) error {
	// Resolve the OU first: a typo must not leave a new account in the root.
	var ouID string
	if f.ou != "" {
		var err error
		if ouID, err = findOUByPath(ctx, v.org, f.ou); err != nil {
			return err
		}
	}
	in := &organizations.CreateAccountInput{AccountName: aws.String(f.name), Email: aws.String(f.email)}
	for _, k := range slices.Sorted(maps.Keys(f.tags)) {
		in.Tags = append(in.Tags, orgtypes.Tag{Key: aws.String(k), Value: aws.String(f.tags[k])})
	}
	out, err := v.org.CreateAccount(ctx, in)
	if err != nil {
		return fmt.Errorf("creating account (%s): %w", f.name, err)
	}
	status, err := v.waitCreated(ctx, aws.ToString(out.CreateAccountStatus.Id))
	if err != nil {
		return err
	}
	if status.State != orgtypes.CreateAccountStateSucceeded {
		return fmt.Errorf("creating account (%s): %s: %s", f.name, status.State, status.FailureReason)
	}
	id := aws.ToString(status.AccountId)
	v.account = id
	v.progress.note(fmt.Sprintf("created account %s (%s)", id, f.name))
	if ouID != "" {
		if err := v.move(ctx, id, ouID); err != nil {
			return err
		}
		v.progress.note(fmt.Sprintf("moved %s to %s", id, f.ou))
	}
	row, err := v.waitBaselined(ctx, id)
	if err != nil {
		return err
	}
	switch row.Status {
	case ledger.StatusSucceeded:
		fmt.Fprintf(e.Stdout, "baselined %s (%s) with profile %s, version %s in %s: %d created, %d updated, %d deleted, %d findings\n",
			id, f.name, row.Profile, row.Version, time.Duration(row.DurationMs)*time.Millisecond, row.Created, row.Updated, row.Deleted, len(row.Findings))
		for _, finding := range row.Findings {
			fmt.Fprintf(e.Stdout, "  finding: %s\n", finding)
		}
		return nil
	case ledger.StatusSkipped:
		fmt.Fprintf(e.Stdout, "account %s (%s) gets no baseline: %s\n", id, f.name, row.Reason)
		return nil
	}
	return fmt.Errorf("baselining account %s (%s): %s: %s", id, f.name, row.Status, row.LastError)
}

// waitCreated polls the creation request until it leaves IN_PROGRESS.
func (v *vending) waitCreated(ctx context.Context, requestID string) (*orgtypes.CreateAccountStatus, error) {
	v.phase = "waiting for Organizations to create the account"
	var status *orgtypes.CreateAccountStatus
	err := pollUntil(ctx, v.poll, func() (bool, error) {
		out, err := v.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(requestID)})
		if err != nil {
			return false, fmt.Errorf("describing account creation (%s): %w", requestID, err)
		}
		status = out.CreateAccountStatus
		v.progress.show(fmt.Sprintf("creating account: %s", status.State), time.Since(v.start))
		return status.State != orgtypes.CreateAccountStateInProgress, nil
	})
	return status, err
}

// move takes the new account from wherever Organizations put it (the root)
// to the OU.
func (v *vending) move(ctx context.Context, accountID, ouID string) error {
	parents, err := v.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(accountID)})
	if err != nil {
		return fmt.Errorf("listing parents of (%s): %w", accountID, err)
	}
	if len(parents.Parents) == 0 {
		return fmt.Errorf("listing parents of (%s): none returned", accountID)
	}
	from := aws.ToString(parents.Parents[0].Id)
	if from == ouID {
		return nil
	}
	_, err = v.org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(accountID), SourceParentId: aws.String(from), DestinationParentId: aws.String(ouID)})
	if err != nil {
		return fmt.Errorf("moving account (%s) to OU (%s): %w", accountID, ouID, err)
	}
	return nil
}

// waitBaselined follows the account's ledger row until the pipeline has
// recorded an outcome. A new account has no row until its first run ends.
func (v *vending) waitBaselined(ctx context.Context, accountID string) (ledger.Row, error) {
	v.phase = "waiting for the pipeline to baseline the account"
	var row ledger.Row
	err := pollUntil(ctx, v.poll, func() (bool, error) {
		r, err := v.ledger.Get(ctx, accountID)
		if awsx.NotFound(err) {
			v.progress.show("baselining: waiting for the pipeline", time.Since(v.start))
			return false, nil
		}
		if err != nil {
			return false, err
		}
		row = r
		v.progress.show("baselining: "+string(r.Status), time.Since(v.start))
		return r.Status != ledger.StatusRunning, nil
	})
	return row, err
}

// findOUByPath resolves "/Root/Workloads/Prod" by walking down from the
// root, one ListOrganizationalUnitsForParent (paged) per level.
func findOUByPath(ctx context.Context, org *organizations.Client, path string) (string, error) {
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return "", fmt.Errorf("listing the organization's roots: %w", err)
	}
	if len(roots.Roots) == 0 {
		return "", errors.New("listing the organization's roots: none returned")
	}
	id := aws.ToString(roots.Roots[0].Id)
	names := strings.Split(strings.Trim(path, "/"), "/")[1:] // after "Root"
	for i, name := range names {
		child, err := findChildOU(ctx, org, id, name)
		if err != nil {
			return "", err
		}
		if child == "" {
			return "", fmt.Errorf("finding OU (%s): no OU %q under /%s", path, name, strings.Join(append([]string{"Root"}, names[:i]...), "/"))
		}
		id = child
	}
	return id, nil
}

func findChildOU(ctx context.Context, org *organizations.Client, parentID, name string) (string, error) {
	p := organizations.NewListOrganizationalUnitsForParentPaginator(org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("listing OUs under (%s): %w", parentID, err)
		}
		for _, ou := range page.OrganizationalUnits {
			if aws.ToString(ou.Name) == name {
				return aws.ToString(ou.Id), nil
			}
		}
	}
	return "", nil
}

// progress shows a long wait. On a terminal it rewrites one line in place
// with the elapsed time; elsewhere (CI logs, a pipe) it writes a new line
// only when the text changes, so the log stays short.
type progress struct {
	w    io.Writer
	tty  bool
	open bool   // a terminal line is showing and needs ending
	last string // the last text written
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return &progress{w: w}
	}
	info, err := f.Stat()
	return &progress{w: w, tty: err == nil && info.Mode()&os.ModeCharDevice != 0}
}

// show replaces the progress line with text.
func (p *progress) show(text string, elapsed time.Duration) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s (%s)", text, elapsed.Round(time.Second))
		p.open, p.last = true, text
		return
	}
	if text != p.last {
		fmt.Fprintln(p.w, text)
		p.last = text
	}
}

// note writes a line that stays, ending the progress line first.
func (p *progress) note(text string) {
	p.done()
	fmt.Fprintln(p.w, text)
}

// done ends the progress line, if one is showing.
func (p *progress) done() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}
