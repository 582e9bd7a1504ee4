// Command model-service is a small churn classifier served over HTTP and
// instrumented with modelwatch's Go SDK — the pattern to copy into a model
// service:
//
//   - an sdk.Client created at start-up and closed at shutdown, after the
//     HTTP server has drained, so that nothing logged is lost;
//   - sdk.Middleware around the prediction endpoint: it times each request
//     and logs failed ones as prediction errors;
//   - stage marks (preprocessing, inference, postprocessing) on the
//     request's Timer, and one LogTimed per prediction with its features,
//     class, probabilities and confidence;
//   - a feedback endpoint that turns what happened later into ground truth
//     with LogGroundTruth.
//
// Run modelwatch, give the service a token with the ingest scope, start the
// service and ask it:
//
//	go run ./cmd/modelwatch serve &   # prints an admin token on first start
//	go run ./cmd/modelwatch token create --name churn-service --scopes ingest --file modelwatch-data/tokens
//	kill -HUP %1                      # modelwatch reloads its tokens
//	MODELWATCH_TOKEN=<the new token> go run ./examples/model-service -modelwatch http://localhost:8080 &
//	curl -s localhost:8081/predict -d '{"tenure_months":3,"monthly_charges":85,"support_calls":4,"contract":"month-to-month"}'
//	curl -s localhost:8081/feedback -d '{"prediction_id":"<id from above>","churned":true}'
//	curl -s -H "Authorization: Bearer <admin token>" 'localhost:8080/api/ml/predictions/stats?model_name=churn'
package main
