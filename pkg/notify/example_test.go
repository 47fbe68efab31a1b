package notify_test

import (
	"fmt"

	"github.com/landfall/landfall/pkg/notify"
)

func ExampleFormat() {
	body := []byte(`{"kind":"landfall.baseline","status":"FAILED","accountId":"777788889999",` +
		`"version":"2026.03.1","durationMs":8412,"created":3,"updated":0,"error":"assuming role: AccessDenied"}`)
	m := notify.Format(body, notify.Context{AccountNames: map[string]string{"777788889999": "sandbox-alice"}})
	fmt.Println(m.Kind, m.Severity)
	fmt.Println(m.Subject)
	// Output:
	// pipeline high
	// [HIGH] landfall baseline FAILED for sandbox-alice (777788889999)
}
