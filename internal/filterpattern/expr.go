package filterpattern

// expr is a node of a compiled pattern over V: the decoded JSON event for
// JSON patterns, one field's text for space-delimited ones.
type expr[V any] interface{ eval(V) bool }

// anyOf is "a || b": true when any operand is.
type anyOf[V any] []expr[V]

func (a anyOf[V]) eval(v V) bool {
	for _, e := range a {
		if e.eval(v) {
			return true
		}
	}
	return false
}

// allOf is "a && b": true when every operand is.
type allOf[V any] []expr[V]

func (a allOf[V]) eval(v V) bool {
	for _, e := range a {
		if !e.eval(v) {
			return false
		}
	}
	return true
}

func newAnyOf[V any](terms []expr[V]) expr[V] { return anyOf[V](terms) }
func newAllOf[V any](terms []expr[V]) expr[V] { return allOf[V](terms) }

// chain parses operands separated by op into one expression, which is the
// operand itself when there is only one.
func chain[V any](s *scanner, op string, join func([]expr[V]) expr[V], operand func() (expr[V], error)) (expr[V], error) {
	var terms []expr[V]
	for {
		e, err := operand()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
		if !s.accept(op) {
			break
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return join(terms), nil
}
