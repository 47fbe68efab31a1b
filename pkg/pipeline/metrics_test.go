package pipeline

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestEmitMetricsIsEmbeddedMetricFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := emitMetrics(&buf, time.UnixMilli(1700000000000), 1, 3); err != nil {
		t.Fatal(err)
	}
	var line struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		AccountsBaselined, OpenFindings int
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	m := line.AWS.CloudWatchMetrics
	if line.AWS.Timestamp != 1700000000000 || len(m) != 1 || m[0].Namespace != "Landfall" || len(m[0].Metrics) != 2 ||
		line.AccountsBaselined != 1 || line.OpenFindings != 3 {
		t.Fatalf("line = %s", buf.String())
	}
}
