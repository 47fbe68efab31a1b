package baseline

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// thing is a resource in memory, so the ownership reconciler's decisions
// are tested apart from any service; every real owner is tested through
// the emulator in its own file.
type thing struct {
	exists  bool
	tags    map[string]string
	finding string
	drift   bool

	created, deleted, edited bool
	tagged                   [2]map[string]string // missing, all
	tagErr                   error
}

func (th *thing) resource() owned[*thing] {
	return owned[*thing]{
		Kind: "widget", Name: "landfall-w", Resource: "widget/landfall-w",
		Find: func(context.Context) (*thing, error) {
			if !th.exists {
				return nil, &awsx.NotFoundError{What: "widget (landfall-w)"}
			}
			return th, nil
		},
		Tags: func(_ context.Context, found *thing) (map[string]string, error) { return found.tags, nil },
		Tag: func(_ context.Context, found *thing, missing, all map[string]string) error {
			found.tagged = [2]map[string]string{missing, all}
			return found.tagErr
		},
		Create:  func(context.Context) error { th.created = true; return nil },
		Finding: func(found *thing) string { return found.finding },
		Edits: func(_ context.Context, found *thing) ([]edit, error) {
			if !found.drift {
				return nil, nil
			}
			return []edit{{[]Diff{{"Size", "1", "2"}}, func(context.Context) error { found.edited = true; return nil }}}, nil
		},
		Delete: func(_ context.Context, found *thing) error { found.deleted = true; return nil },
	}
}

func ownedSpec(adopt bool) *Spec {
	return &Spec{Profile: &config.Profile{Name: "standard", Adopt: adopt}, Tags: map[string]string{TagManaged: "true", "project": "lz"}}
}

func TestPlanOwned(t *testing.T) {
	ours := map[string]string{TagManaged: "true", "project": "lz"}
	tests := []struct {
		name       string
		thing      thing
		adopt      bool
		wantAction Action
		wantFields []string
		wantDetail string // a part of it
	}{
		{"absent is created", thing{}, false, Create, nil, ""},
		{"ours and as wanted is unchanged", thing{exists: true, tags: ours}, false, Unchanged, nil, ""},
		{"ours with drift is updated, fields before tags", thing{exists: true, tags: map[string]string{TagManaged: "true"}, drift: true}, false, Update,
			[]string{"Size", "Tag project"}, ""},
		{"someone else's is a conflict", thing{exists: true, tags: map[string]string{"team": "x"}, drift: true}, false, Conflict, nil,
			"widget landfall-w exists but is not tagged landfall:managed=true, so landfall leaves it alone: rename or delete it, or set adopt: true in profile standard"},
		{"someone else's untagged one is a conflict", thing{exists: true}, false, Conflict, nil, "not tagged landfall:managed=true"},
		{"adopting someone else's tags and repairs it", thing{exists: true, tags: map[string]string{"team": "x"}, drift: true}, true, Update,
			[]string{"Size", "Tag " + TagManaged, "Tag project"}, ""},
		{"adopting one without tags", thing{exists: true}, true, Update, []string{"Tag " + TagManaged, "Tag project"}, ""},
		{"a finding is reported instead of any edit", thing{exists: true, tags: ours, finding: "it is disabled", drift: true}, false, Finding, nil, "it is disabled"},
		{"an adopted one's finding is reported instead of any edit", thing{exists: true, finding: "it is disabled", drift: true}, true, Finding, nil, "it is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := tt.thing
			c, found, err := planOwned(context.Background(), ownedSpec(tt.adopt), th.resource())
			if err != nil {
				t.Fatal(err)
			}
			if c.Action != tt.wantAction || !slices.Equal(diffFieldsOf(c), tt.wantFields) || !strings.Contains(c.Detail, tt.wantDetail) || c.Resource != "widget/landfall-w" {
				t.Fatalf("got %s", c)
			}
			if (found != nil) != th.exists {
				t.Fatalf("found %v for a widget that exists: %v", found, th.exists)
			}
			if c.Changing() != (c.Apply != nil) {
				t.Fatalf("%s with apply %v", c.Action, c.Apply != nil)
			}
			if c.Apply == nil {
				if th.created || th.edited || th.tagged[0] != nil {
					t.Fatalf("wrote without a change: %+v", th)
				}
				return
			}
			if err := c.Apply(context.Background()); err != nil {
				t.Fatal(err)
			}
			if th.created != (c.Action == Create) || th.edited != th.drift && c.Action == Update {
				t.Fatalf("after apply: %+v", th)
			}
		})
	}
}

func TestPlanOwnedTagsKeepOthers(t *testing.T) {
	th := thing{exists: true, tags: map[string]string{TagManaged: "true", "team": "x"}}
	c, _, err := planOwned(context.Background(), ownedSpec(false), th.resource())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	missing, all := th.tagged[0], th.tagged[1]
	if !maps.Equal(missing, map[string]string{"project": "lz"}) || !maps.Equal(all, map[string]string{TagManaged: "true", "team": "x", "project": "lz"}) {
		t.Fatalf("tagged with missing %v, all %v", missing, all)
	}
	if len(th.tags) != 2 {
		t.Fatalf("the tags read were changed: %v", th.tags)
	}
}

func TestPlanOwnedErrors(t *testing.T) {
	boom := errors.New("boom")
	th := thing{exists: true, tagErr: boom}
	c, _, err := planOwned(context.Background(), ownedSpec(true), th.resource())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(context.Background()); !errors.Is(err, boom) || err.Error() != "tagging widget (landfall-w): boom" {
		t.Fatalf("apply: %v", err)
	}

	r := th.resource()
	r.Find = func(context.Context) (*thing, error) { return nil, boom }
	if _, _, err := planOwned(context.Background(), ownedSpec(false), r); !errors.Is(err, boom) {
		t.Fatalf("a failed find: %v", err)
	}
	if _, _, err := planRetired(context.Background(), r, "why"); !errors.Is(err, boom) {
		t.Fatalf("a failed find when retiring: %v", err)
	}
}

func TestPlanRetired(t *testing.T) {
	tests := []struct {
		name   string
		thing  thing
		wantOK bool
	}{
		{"absent has no entry", thing{}, false},
		{"someone else's has no entry", thing{exists: true, tags: map[string]string{"team": "x"}}, false},
		{"ours is deleted", thing{exists: true, tags: map[string]string{TagManaged: "true"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := tt.thing
			c, ok, err := planRetired(context.Background(), th.resource(), "profile standard turns it off")
			if err != nil || ok != tt.wantOK {
				t.Fatalf("ok %v, err %v", ok, err)
			}
			if !ok {
				return
			}
			if c.Action != Delete || c.Detail != "profile standard turns it off" || c.Resource != "widget/landfall-w" {
				t.Fatalf("got %s", c)
			}
			if err := c.Apply(context.Background()); err != nil || !th.deleted {
				t.Fatalf("apply: %v, deleted %v", err, th.deleted)
			}
		})
	}
}

func TestTagListAndMap(t *testing.T) {
	tags := map[string]string{"b": "2", "a": "1", "c": ""}
	list := tagList(tags, newIAMTag)
	var keys []string
	for _, t := range list {
		keys = append(keys, aws.ToString(t.Key))
	}
	if !slices.Equal(keys, []string{"a", "b", "c"}) {
		t.Fatalf("keys in order %v", keys)
	}
	if back := tagMap(list, iamTagKV); !maps.Equal(back, tags) {
		t.Fatalf("round trip: %v", back)
	}
	if tagList(map[string]string{}, newIAMTag) != nil {
		t.Fatal("no tags must be a nil list")
	}
	if got := tagMap([]iamtypes.Tag{{Value: aws.String("v")}, {Key: aws.String("k")}}, iamTagKV); !maps.Equal(got, map[string]string{"k": ""}) {
		t.Fatalf("a tag without key: %v", got)
	}
}
