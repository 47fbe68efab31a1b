package awslocal

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbt "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// seedLedger puts 12 events for acct#1 (sk evt#00..evt#11, n = i) and 3 for
// acct#2.
func seedLedger(t *testing.T, db *dynamodb.Client) {
	t.Helper()
	for i := range 12 {
		_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("ledger"),
			Item: avs{"pk": sv("acct#1"), "sk": sv(fmt.Sprintf("evt#%02d", i)), "n": nv(fmt.Sprint(i))}})
		mustNoErr(t, err)
	}
	for i := range 3 {
		_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("ledger"),
			Item: avs{"pk": sv("acct#2"), "sk": sv(fmt.Sprintf("run#%d", i)), "n": nv("100")}})
		mustNoErr(t, err)
	}
}

func sortKeys(items []map[string]ddbt.AttributeValue) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["sk"].(*ddbt.AttributeValueMemberS).Value)
	}
	return out
}

func TestDynamoDBQueryPaging(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	newLedger(t, db, "ledger")
	seedLedger(t, db)

	tests := []struct {
		name    string
		in      dynamodb.QueryInput
		want    []string
		minPage int // at least this many requests (paging must happen)
	}{
		{"all of a partition, paged", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: avs{":p": sv("acct#1")}}, seq(0, 12), 3},
		{"descending", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ScanIndexForward: aws.Bool(false),
			ExpressionAttributeValues: avs{":p": sv("acct#2")}}, []string{"run#2", "run#1", "run#0"}, 1},
		{"begins_with and limit", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND begins_with(sk, :pre)"), Limit: aws.Int32(2),
			ExpressionAttributeValues: avs{":p": sv("acct#1"), ":pre": sv("evt#0")}}, seq(0, 10), 5},
		{"between", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"),
			ExpressionAttributeValues: avs{":p": sv("acct#1"), ":a": sv("evt#03"), ":b": sv("evt#05")}}, seq(3, 6), 1},
		{"filter after key condition", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("n >= :min"),
			ExpressionAttributeValues: avs{":p": sv("acct#1"), ":min": nv("10")}}, seq(10, 12), 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.TableName = aws.String("ledger")
			var got []string
			pages := 0
			for p := dynamodb.NewQueryPaginator(db, &in); p.HasMorePages(); pages++ {
				out, err := p.NextPage(ctx)
				mustNoErr(t, err)
				if int(out.Count) != len(out.Items) || out.ScannedCount < out.Count {
					t.Fatalf("Count %d ScannedCount %d items %d", out.Count, out.ScannedCount, len(out.Items))
				}
				got = append(got, sortKeys(out.Items)...)
			}
			if !slices.Equal(got, tc.want) || pages < tc.minPage {
				t.Fatalf("got %v in %d pages, want %v in at least %d", got, pages, tc.want, tc.minPage)
			}
		})
	}

	errs := []struct {
		name string
		in   dynamodb.QueryInput
	}{
		{"no key condition", dynamodb.QueryInput{}},
		{"sort key only", dynamodb.QueryInput{KeyConditionExpression: aws.String("sk = :s"), ExpressionAttributeValues: avs{":s": sv("x")}}},
		{"partition key range", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk > :s"), ExpressionAttributeValues: avs{":s": sv("x")}}},
		{"non-key attribute", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p AND n = :n"), ExpressionAttributeValues: avs{":p": sv("x"), ":n": nv("1")}}},
		{"or", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p OR pk = :q"), ExpressionAttributeValues: avs{":p": sv("x"), ":q": sv("y")}}},
		{"bad start key", dynamodb.QueryInput{KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: avs{":p": sv("x")}, ExclusiveStartKey: avs{"pk": sv("x")}}},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.TableName = aws.String("ledger")
			_, err := db.Query(ctx, &in)
			wantCode(t, err, "ValidationException")
		})
	}
}

func seq(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("evt#%02d", i))
	}
	return out
}

func TestDynamoDBScanPaging(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	newLedger(t, db, "ledger")
	seedLedger(t, db)

	tests := []struct {
		name   string
		in     dynamodb.ScanInput
		want   int
		scans  int // requests the paginator makes
		single bool
	}{
		{"everything", dynamodb.ScanInput{}, 15, 3, false},
		{"filtered", dynamodb.ScanInput{FilterExpression: aws.String("n = :h"), ExpressionAttributeValues: avs{":h": nv("100")}}, 3, 3, false},
		{"projection", dynamodb.ScanInput{ProjectionExpression: aws.String("pk, #s"), ExpressionAttributeNames: map[string]string{"#s": "sk"}}, 15, 3, false},
		{"limit", dynamodb.ScanInput{Limit: aws.Int32(4)}, 4, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.TableName = aws.String("ledger")
			seen := map[string]bool{}
			scans := 0
			for p := dynamodb.NewScanPaginator(db, &in); p.HasMorePages(); {
				scans++
				out, err := p.NextPage(ctx)
				mustNoErr(t, err)
				for _, it := range out.Items {
					seen[it["pk"].(*ddbt.AttributeValueMemberS).Value+"/"+it["sk"].(*ddbt.AttributeValueMemberS).Value] = true
					if _, ok := it["n"]; ok && in.ProjectionExpression != nil {
						t.Fatalf("projection kept n: %v", it)
					}
				}
				if tc.single {
					if out.LastEvaluatedKey == nil {
						t.Fatal("a page cut by Limit must carry LastEvaluatedKey")
					}
					break
				}
			}
			if len(seen) != tc.want || scans != tc.scans {
				t.Fatalf("saw %d items in %d scans, want %d in %d", len(seen), scans, tc.want, tc.scans)
			}
		})
	}
	_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("ledger"), Limit: aws.Int32(0)})
	wantCode(t, err, "ValidationException")
	_, err = db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("missing")})
	wantCode(t, err, "ResourceNotFoundException")
}
