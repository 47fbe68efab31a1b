package orgevents

import (
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "May 17, 2022 10:47:37 AM", want: time.Date(2022, 5, 17, 10, 47, 37, 0, time.UTC)},
		{in: "Sep 16, 2020 9:20:50 PM", want: time.Date(2020, 9, 16, 21, 20, 50, 0, time.UTC)},
		{in: "Jun 21, 2018 12:06:27 AM", want: time.Date(2018, 6, 21, 0, 6, 27, 0, time.UTC)},
		{in: "2022-05-17T10:47:40Z", want: time.Date(2022, 5, 17, 10, 47, 40, 0, time.UTC)},
		{in: "2022-05-17T12:47:40.5+02:00", want: time.Date(2022, 5, 17, 10, 47, 40, 5e8, time.UTC)},
		{in: "2019-11-15T11:45:18+0000", want: time.Date(2019, 11, 15, 11, 45, 18, 0, time.UTC)},
		{in: "2019-11-15T13:45:18+0200", want: time.Date(2019, 11, 15, 11, 45, 18, 0, time.UTC)},
		{in: "1481656459", want: time.Date(2016, 12, 13, 19, 14, 19, 0, time.UTC)},
		{in: "1481656459.257", want: time.Date(2016, 12, 13, 19, 14, 19, 257e6, time.UTC)},
		{in: "  2022-05-17T10:47:40Z  ", want: time.Date(2022, 5, 17, 10, 47, 40, 0, time.UTC)},
		{in: "", wantErr: true},
		{in: "17/05/2022", wantErr: true},
		{in: "May 17 2022 10:47:37", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "1e9", wantErr: true},
		{in: "-5", wantErr: true},
		{in: "1481656459.", want: time.Date(2016, 12, 13, 19, 14, 19, 0, time.UTC)},
		{in: ".5", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
		{in: "253402300800", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTimestamp(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseTimestamp(%q) = %v, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTimestamp(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTimestamp(%q) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
}
