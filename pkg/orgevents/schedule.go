package orgevents

import "github.com/aws/aws-lambda-go/events"

// An EventBridge rule with a schedule expression emits this envelope; landfall's sweep rule is one.
const (
	SourceScheduledRule      = "aws.events"
	DetailTypeScheduledEvent = "Scheduled Event"
)

func decodeScheduled(event events.EventBridgeEvent) (Request, error) {
	if event.DetailType != DetailTypeScheduledEvent {
		return Request{}, unsupported("detail-type", "%s from %s; expected %q", quote(event.DetailType), SourceScheduledRule, DetailTypeScheduledEvent)
	}
	// A scheduled event's detail is always the empty object; anything else is not what a schedule sends.
	var detail map[string]any
	if err := decodeObject(event.Detail, "detail", &detail); err != nil {
		return Request{}, err
	}
	r := provenance(event)
	r.Action = ActionSweep
	r.Reason = ReasonScheduledSweep
	return r, nil
}
