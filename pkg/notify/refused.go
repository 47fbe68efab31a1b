package notify

import "fmt"

// Refused is the message for one the alert fan-in refused to deliver as an
// alert: from names who sent it (an alerts topic's ARN, or what is known),
// reason says why. The content is passed through below, so nothing is lost,
// but nothing in it is shown as a fact: no account name, no console links,
// no severity of its own. A refusal is itself worth a look, since someone
// able to publish to an alerts topic tried to speak for another account.
func Refused(raw []byte, from, reason string) Message {
	from = firstNonEmpty(oneLine(from), "an unknown sender")
	var w body
	w.para(fmt.Sprintf("landfall refused a message from %s: %s.", from, oneLine(reason)))
	w.para("It is not delivered as an alert, and nothing it says is vouched for. " +
		"Whoever may publish to that topic sent it, or something sent it in that topic's name.")
	w.field("From", from)
	w.field("Severity", SeverityHigh)
	w.end()
	w.section("What to do next:", []string{
		"Find out who may publish to the topic (its policy, the account's administrators and roles) and whether they sent this.",
		"If the account has left the organization, unsubscribe its topic from the fan-in queue.",
	})
	w.para("Content:\n" + passThrough(raw))
	return Message{
		Kind:     KindRefused,
		Severity: SeverityHigh,
		Subject:  subject(SeverityHigh, "landfall refused a message from "+from),
		Text:     w.String(),
	}
}
