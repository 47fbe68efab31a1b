package baseline

import "slices"

// Catalogue returns the baseline items in apply order. Dependencies name
// items of the same scope and say why.
func Catalogue() []Item {
	return append([]Item{
		{
			Name:    "password-policy",
			Enabled: func(*Spec) bool { return true },
			Plan:    planPasswordPolicy,
		},
	}, slices.Concat(iamItems(), accountItems(), regionalItems())...)
}
