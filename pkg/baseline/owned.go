package baseline

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/landfall/landfall/pkg/awsx"
)

// The ownership reconciler: landfall's CreateOrUpdate. Every item that owns
// a resource describes it once (how to find it, create it, read and write
// its tags, and what edits repair it) and planOwned decides the plan entry:
// create what is absent, leave alone what is not landfall's (unless the
// profile adopts it), and otherwise repair the fields and tags that drifted.
// planRetired is its other half, for a resource the profile turns off. So
// every owned resource is created, adopted, refused and deleted alike, and
// says so in the same words.

// owned is one resource landfall owns outright. T is what its finder
// returns.
type owned[T any] struct {
	Kind     string // what it is, as errors and conflicts name it: "IAM role"
	Name     string // its name: "landfall-execution"
	Resource string // its plan entry's resource: "role/landfall-execution"

	// Find returns the resource, or an *awsx.NotFoundError when it does not
	// exist.
	Find func(context.Context) (T, error)
	// Tags reads the tags of what Find returned.
	Tags func(context.Context, T) (map[string]string, error)
	// Tag adds the missing tags to it. all is every tag it carries
	// afterwards, for the APIs that replace the whole set (S3).
	Tag func(ctx context.Context, found T, missing, all map[string]string) error

	// Create creates the resource, tagged. Unused by planRetired.
	Create func(context.Context) error
	// Finding, when set, says what about an existing resource a person must
	// decide before landfall may touch it ("" for nothing); it is reported
	// instead of any edit.
	Finding func(T) string
	// Edits are the writes that repair its fields, nil when none drifted.
	// Unset when only its tags can drift.
	Edits func(context.Context, T) ([]edit, error)

	// Delete deletes it. Used only by planRetired.
	Delete func(context.Context, T) error
}

// edit is a field-level difference and the one write that repairs it (a
// single tagging call repairs every tag, so an edit may carry several).
type edit struct {
	diffs []Diff
	apply func(context.Context) error
}

// planOwned plans one owned resource that is wanted. It returns what Find
// found (the zero T when the resource does not exist), for the checks an
// item makes beside the resource's own entry.
func planOwned[T any](ctx context.Context, spec *Spec, r owned[T]) (Change, T, error) {
	found, err := r.Find(ctx)
	if awsx.NotFound(err) {
		return Change{Resource: r.Resource, Action: Create, Apply: r.Create}, found, nil
	}
	if err != nil {
		return Change{}, found, err
	}
	tags, err := r.Tags(ctx, found)
	if err != nil {
		return Change{}, found, err
	}
	if !Owned(tags) && !spec.Profile.Adopt {
		return conflictChange(spec, r.Resource, r.Kind, r.Name), found, nil
	}
	if r.Finding != nil {
		if detail := r.Finding(found); detail != "" {
			return Change{Resource: r.Resource, Action: Finding, Detail: detail}, found, nil
		}
	}
	var edits []edit
	if r.Edits != nil {
		if edits, err = r.Edits(ctx, found); err != nil {
			return Change{}, found, err
		}
	}
	if e, ok := tagEdit(r.Kind, r.Name, tags, spec.Tags, func(ctx context.Context, missing, all map[string]string) error {
		return r.Tag(ctx, found, missing, all)
	}); ok {
		edits = append(edits, e)
	}
	return editsChange(r.Resource, edits), found, nil
}

// planRetired plans the deletion of an owned resource the profile no longer
// wants, for the reason why. Only a resource tagged as landfall's is
// deleted: there is no plan entry (ok is false) for one that does not exist
// or is someone else's, whatever the profile's adopt says.
func planRetired[T any](ctx context.Context, r owned[T], why string) (c Change, ok bool, err error) {
	found, err := r.Find(ctx)
	if awsx.NotFound(err) {
		return Change{}, false, nil
	}
	if err != nil {
		return Change{}, false, err
	}
	tags, err := r.Tags(ctx, found)
	if err != nil || !Owned(tags) {
		return Change{}, false, err
	}
	return Change{Resource: r.Resource, Action: Delete, Detail: why, Apply: func(ctx context.Context) error {
		return r.Delete(ctx, found)
	}}, true, nil
}

// conflictChange is the plan entry for a same-named resource that is not
// landfall's and that the profile does not let landfall adopt.
func conflictChange(spec *Spec, resource, kind, name string) Change {
	return Change{Resource: resource, Action: Conflict, Detail: fmt.Sprintf(
		"%s %s exists but is not tagged %s=true, so landfall leaves it alone: rename or delete it, or set adopt: true in profile %s to take it over",
		kind, name, TagManaged, spec.Profile.Name)}
}

// editsChange turns a resource's edits into its plan entry: unchanged
// without any, otherwise an update that applies exactly those edits in
// order.
func editsChange(resource string, edits []edit) Change {
	if len(edits) == 0 {
		return Change{Resource: resource, Action: Unchanged}
	}
	c := Change{Resource: resource, Action: Update, Apply: func(ctx context.Context) error {
		for _, e := range edits {
			if err := e.apply(ctx); err != nil {
				return err
			}
		}
		return nil
	}}
	for _, e := range edits {
		c.Diffs = append(c.Diffs, e.diffs...)
	}
	return c
}

// tagEdit is the edit that adds the wanted tags a resource lacks, written
// by one call; ok is false when none is missing. Tags others added stay:
// people tag landfall's resources for their own bookkeeping. The
// account-wide items (a GuardDuty detector, a Security Hub hub), which
// landfall tags but does not own alone, use it directly.
func tagEdit(kind, name string, have, want map[string]string, write func(ctx context.Context, missing, all map[string]string) error) (edit, bool) {
	missing, diffs := missingTags(have, want)
	if len(diffs) == 0 {
		return edit{}, false
	}
	all := make(map[string]string, len(have)+len(missing))
	maps.Copy(all, have)
	maps.Copy(all, missing)
	return edit{diffs, func(ctx context.Context) error {
		if err := write(ctx, missing, all); err != nil {
			return fmt.Errorf("tagging %s (%s): %w", kind, name, err)
		}
		return nil
	}}, true
}

// missingTags returns the wanted tags that are absent or different, and one
// diff per tag.
func missingTags(have, want map[string]string) (map[string]string, []Diff) {
	missing := map[string]string{}
	var diffs []Diff
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if have[k] != want[k] {
			missing[k] = want[k]
			diffs = append(diffs, Diff{Field: "Tag " + k, Have: have[k], Want: want[k]})
		}
	}
	return missing, diffs
}

// tagList is tags as an SDK's list of tag structs, made by newTag, in key
// order so that a request is the same from run to run; nil for none, so a
// request without tags carries no tag member at all.
func tagList[T any](tags map[string]string, newTag func(key, value *string) T) []T {
	if len(tags) == 0 {
		return nil
	}
	out := make([]T, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, newTag(aws.String(k), aws.String(tags[k])))
	}
	return out
}

// tagMap is an SDK's list of tag structs as a map; keyValue reads one.
func tagMap[T any](list []T, keyValue func(T) (key, value *string)) map[string]string {
	out := make(map[string]string, len(list))
	for _, t := range list {
		k, v := keyValue(t)
		if k != nil {
			out[*k] = aws.ToString(v)
		}
	}
	return out
}
