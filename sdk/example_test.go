package sdk_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// standIn is a stand-in for a modelwatch server that prints what it
// receives.
func standIn(show func(path, line string)) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			show(r.URL.Path, sc.Text())
		}
		_, _ = io.WriteString(w, `{}`)
	}))
}

// A model service logs a prediction, later its ground truth, and a failed
// call; Close delivers everything before the service exits.
func Example() {
	modelwatchServer := standIn(func(path, line string) { fmt.Println(path, line) })
	defer modelwatchServer.Close()

	client, err := sdk.New(sdk.Config{Endpoint: modelwatchServer.URL})
	if err != nil {
		log.Fatal(err)
	}

	confidence := 0.91
	client.Log(modelwatch.Prediction{
		ID:            "pred-1", // set it when ground truth will refer to it
		ModelName:     "churn",
		ModelVersion:  "v3",
		Timestamp:     time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), // zero: now
		Features:      modelwatch.Features(`{"tenure_months":4,"contract":"month-to-month"}`),
		Prediction:    "churn",
		Confidence:    &confidence,
		Probabilities: map[string]float64{"churn": 0.91, "stay": 0.09},
	})
	client.LogGroundTruth("pred-1", "stay")
	client.LogError("churn", "v3", "timeout")

	if err := client.Close(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", client.Stats().Predictions)
	// Output:
	// /api/v1/predictions {"id":"pred-1","model_name":"churn","model_version":"v3","timestamp":"2026-11-26T08:00:00Z","features":{"tenure_months":4,"contract":"month-to-month"},"prediction":"churn","confidence":0.91,"probabilities":{"churn":0.91,"stay":0.09}}
	// /api/v1/ground-truth {"id":"pred-1","ground_truth":"stay"}
	// /api/v1/errors {"model_name":"churn","model_version":"v3","error_type":"timeout"}
	// {Queued:0 Capacity:10000 Sent:1 Duplicates:0 Dropped:0 Failed:0}
}

// Middleware times a model endpoint and logs its failures; the handler
// marks the stages on the request's Timer and logs the prediction with it.
func ExampleMiddleware() {
	modelwatchServer := standIn(func(path, line string) {
		var rec map[string]any
		_ = json.Unmarshal([]byte(line), &rec)
		latency, _ := rec["latency"].(map[string]any)
		fmt.Println(path, "prediction:", rec["prediction"], "stages:", len(latency), "error_type:", rec["error_type"])
	})
	defer modelwatchServer.Close()
	client, err := sdk.New(sdk.Config{Endpoint: modelwatchServer.URL})
	if err != nil {
		log.Fatal(err)
	}

	predict := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := sdk.TimerFrom(r.Context()) // started by the middleware
		tenure := r.URL.Query().Get("tenure_months")
		if tenure == "" {
			http.Error(w, "tenure_months is required", http.StatusBadRequest) // logged as error http_400
			return
		}
		t.Mark(sdk.Preprocessing)
		class := "stay" // the model's answer
		t.Mark(sdk.Inference)
		_, _ = fmt.Fprintln(w, class)
		t.Mark(sdk.Postprocessing)
		client.LogTimed(modelwatch.Prediction{ModelName: "churn", ModelVersion: "v3", Prediction: modelwatch.Label(class)}, t)
	})
	handler := sdk.Middleware(client, sdk.MiddlewareConfig{ModelName: "churn", ModelVersion: "v3"})(predict)

	for _, query := range []string{"?tenure_months=30", ""} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/predict"+query, nil))
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	if err := client.Close(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 200 stay
	// 400 tenure_months is required
	// /api/v1/predictions prediction: stay stages: 3 error_type: <nil>
	// /api/v1/errors prediction: <nil> stages: 0 error_type: http_400
}

// A Timer measures the stages of a prediction without allocating; Apply
// copies them into the prediction (LogTimed does the same without the
// allocation Apply needs for the pointer fields).
func ExampleTimer() {
	t := sdk.StartTimer()
	// … decode and validate the request …
	t.Mark(sdk.Preprocessing)
	// … run the model …
	t.Mark(sdk.Inference)

	p := modelwatch.Prediction{ModelName: "churn", ModelVersion: "v3", Prediction: "stay"}
	t.Apply(&p)
	fmt.Println("preprocessing measured:", p.Latency.PreprocessingMs != nil)
	fmt.Println("inference measured:", p.Latency.InferenceMs != nil)
	fmt.Println("postprocessing measured:", p.Latency.PostprocessingMs != nil)
	fmt.Println("timestamp is the start:", p.Timestamp.Equal(t.Start()))
	// Output:
	// preprocessing measured: true
	// inference measured: true
	// postprocessing measured: false
	// timestamp is the start: true
}
