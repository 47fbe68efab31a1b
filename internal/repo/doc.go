// Package repo holds no code, only tests of the repository's own shape: that
// the product (the operator binary, the Lambdas, the CDK app) links none of
// the instruments under internal/, that the alert formatter links no
// baseline code, and that the README's layout section names every package
// there is.
package repo
