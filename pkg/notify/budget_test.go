package notify

import (
	"testing"
)

func TestParseBudget(t *testing.T) {
	tests := []struct {
		input  string
		want   BudgetNotification
		wantOK bool
	}{
		{
			input: "events/budgets/actual-over-budget-daily.txt",
			want: BudgetNotification{AccountID: "777788889999", Date: "March 05, 2026", BudgetName: "sandbox-daily",
				BudgetType: "Cost", BudgetedAmount: "$5.00", AlertType: "ACTUAL", AlertThreshold: "> $5.00",
				Amount: "$12.70", Period: "per day"},
			wantOK: true,
		},
		{
			input: "events/budgets/forecasted.txt",
			want: BudgetNotification{AccountID: "111122223333", Date: "March 06, 2026", BudgetName: "landfall-monthly",
				BudgetType: "Cost", BudgetedAmount: "$100.00", AlertType: "FORECASTED", AlertThreshold: "> $100.00",
				Amount: "$142.18", Period: "for the current month"},
			wantOK: true,
		},
		{input: "inputs/plain-text.txt", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			got, ok := parseBudget(string(readFile(t, inputPath(tt.input))))
			if ok != tt.wantOK {
				t.Fatalf("parseBudget ok = %v, want %v", ok, tt.wantOK)
			}
			if ok && got != tt.want {
				t.Errorf("parseBudget = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestBudgetSeverity(t *testing.T) {
	tests := []struct {
		name string
		b    BudgetNotification
		want string
	}{
		{"actual under budget", BudgetNotification{AlertType: "ACTUAL", Amount: "$83.41", BudgetedAmount: "$100.00"}, SeverityMedium},
		{"actual at budget", BudgetNotification{AlertType: "ACTUAL", Amount: "$100.00", BudgetedAmount: "$100.00"}, SeverityHigh},
		{"actual with thousands separator", BudgetNotification{AlertType: "ACTUAL", Amount: "$1,200.00", BudgetedAmount: "$1,000.00"}, SeverityHigh},
		{"forecast over budget", BudgetNotification{AlertType: "FORECASTED", Amount: "$142.18", BudgetedAmount: "$100.00"}, SeverityMedium},
		{"unparsable amounts", BudgetNotification{AlertType: "ACTUAL", Amount: "n/a", BudgetedAmount: "$5"}, SeverityMedium},
	}
	for _, tt := range tests {
		if got := tt.b.severity(); got != tt.want {
			t.Errorf("%s: severity = %q, want %q", tt.name, got, tt.want)
		}
	}
}
